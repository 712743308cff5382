/**
 * The default health check: one HTTP(S) request with `node:http` / `node:https`.
 *
 * Mechanism only, no policy: no timeout (the checker aborts the signal), no retry, no threshold.
 * - A fresh connection per probe (`agent: false`), so probes never share pooled sockets with
 *   traffic, and the probe sees the instance as a new client would.
 * - Redirects are never followed: a 3xx fails (`redirect 302`) unless the configuration lists
 *   it among the expected statuses. The redirect target receives nothing.
 * - A status outside `expectedStatuses` fails (`status 503`) without reading the body.
 * - A passing status reads at most `maxBodyBytes` of the body, keeps none of it, then destroys
 *   the response and its socket: a 50 MB body costs one or two chunks, not 50 MB.
 * - Aborting `signal` destroys the request at once and rejects with the signal's reason.
 * - Transport errors reject with Node's error (its `code`, e.g. `ECONNREFUSED`, is the detail).
 * - The socket is unref'd: a probe in flight never keeps a process alive on its own.
 * - With `readLoad` (the service's strategy takes load reports), the response's ORCA
 *   `endpoint-load-metrics` header goes with the result, passing (`{ loadReport }`) or failing
 *   (`HealthCheckFailure.loadReport`), as the header's text: the checker reads it as the core
 *   reads a response's. Without, the header is never looked at.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthCheckConfig } from '../config/config.js';
import { loadHeaderValue } from '../load/orca-header.js';
import type { HealthCheckFunction, HealthCheckResult, HealthCheckTarget } from './check.js';
import { HealthCheckFailure } from './failure.js';

/** What the HTTP check reads of the service's health-check configuration. */
export type HttpCheckConfig = Pick<HealthCheckConfig, 'path' | 'method' | 'headers' | 'expectedStatuses' | 'maxBodyBytes'>;

const USER_AGENT = 'datapunk-balancer-health-check';

/** True when `status` falls in one of the inclusive ranges. */
export function isExpectedStatus(status: number, ranges: HttpCheckConfig['expectedStatuses']): boolean {
  return ranges.some(([from, to]) => status >= from && status <= to);
}

/**
 * Builds the default HTTP health check from the resolved configuration; with `readLoad`, its
 * results carry the response's load report header (see the file comment).
 */
export function httpCheck(config: HttpCheckConfig, readLoad = false): HealthCheckFunction {
  return (target, signal) => probe(config, readLoad, target, signal);
}

function requestOptions(config: HttpCheckConfig, target: HealthCheckTarget): { https: boolean; options: RequestOptions } {
  const url = new URL(target.url);
  return {
    https: url.protocol === 'https:',
    options: {
      protocol: url.protocol,
      // URL keeps IPv6 literals in brackets; the socket wants the bare address.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port,
      method: config.method,
      path: config.path,
      headers: { 'user-agent': USER_AGENT, ...config.headers },
      agent: false,
    },
  };
}

function probe(config: HttpCheckConfig, readLoad: boolean, target: HealthCheckTarget, signal: AbortSignal): Promise<HealthCheckResult | undefined> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<HealthCheckResult | undefined>((resolve, reject) => {
    const { https, options } = requestOptions(config, target);
    let settled = false;
    let req: ClientRequest | undefined;
    let loadReport: string | undefined;
    /** Ends the probe once: frees the socket, then resolves (no error) or rejects. */
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req?.destroy();
      if (error === undefined) resolve(loadReport === undefined ? undefined : { loadReport });
      else reject(error as Error);
    };
    const onAbort = (): void => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      req = (https ? httpsRequest : httpRequest)(options);
    } catch (error) {
      finish(error);
      return;
    }
    req.on('error', (error) => finish(error));
    req.once('socket', (socket) => socket.unref());
    req.once('response', (res) => {
      if (readLoad) loadReport = loadHeaderValue(res.rawHeaders);
      onResponse(res, config, loadReport, finish);
    });
    req.end();
  });
}

function onResponse(res: IncomingMessage, config: HttpCheckConfig, loadReport: string | undefined, finish: (error?: unknown) => void): void {
  const status = res.statusCode ?? 0;
  if (!isExpectedStatus(status, config.expectedStatuses)) {
    finish(new HealthCheckFailure(status >= 300 && status < 400 ? `redirect ${status}` : `status ${status}`, { loadReport }));
    return;
  }
  if (config.maxBodyBytes === 0) {
    finish();
    return;
  }
  let read = 0;
  res.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read >= config.maxBodyBytes) finish();
  });
  res.once('end', () => finish());
  res.on('error', (error) => finish(error));
  // A connection closed before the end of a body shorter than the cap is a broken response.
  res.once('close', () => finish(res.complete ? undefined : new HealthCheckFailure('ECONNRESET', { loadReport })));
}
