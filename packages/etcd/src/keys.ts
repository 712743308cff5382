/**
 * The key layout shared by `register` (writer) and `etcdDiscovery` (reader):
 *
 *   <prefix><service>/<instance-key>  ->  {"url":"http://10.0.0.5:8080","weight":2,"zone":"a","metadata":{...}}
 *
 * with the default prefix `/datapunk/services/`, e.g. `/datapunk/services/orders/10.0.0.5:8080`.
 * The instance key defaults to the instance's `host:port`, so a restarted process overwrites its
 * own key instead of adding a second one.
 */

export const DEFAULT_PREFIX = '/datapunk/services/';

/** The directory of one service: `<prefix><service>/` (a missing trailing slash on `prefix` is added). */
export function serviceDirectory(prefix: string, service: string): string {
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${service}/`;
}

/** The default instance key of an origin: `host:port`, the port always written (`[::1]:443`). */
export function defaultInstanceKey(origin: string): string {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** Problem with a service name or instance key as a path segment, or undefined when fine. */
export function segmentProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string' || value === '') return `expected a non-empty ${what}, got ${JSON.stringify(value) ?? String(value)}`;
  if (value.includes('/')) return `expected a ${what} without "/", got ${JSON.stringify(value)}`;
  if (value.length > 256) return `expected a ${what} of at most 256 characters, got ${value.length}`;
  return undefined;
}
