import type { Logger } from '@datapunk/balancer';

/**
 * Polls `condition` until it returns a truthy value (returned), failing after `timeoutMs` with
 * `what` and the last value seen. No fixed sleeps in tests: wait on a condition, bounded.
 */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await condition();
    if (last) return last as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A pino-compatible logger that records every line (child bindings merged into fields). */
export function captureLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (fields: object, message?: string): void => {
      lines.push({ level, fields: { ...bindings, ...fields }, message });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
  };
}

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

async function post(endpoint: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpoint + path, { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}

/** Raw etcd access for tests, bypassing the package under test. */
export const raw = {
  put: (endpoint: string, key: string, value: string | Buffer, lease?: string) =>
    post(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) }),
  delete: (endpoint: string, key: string) => post(endpoint, '/v3/kv/deleterange', { key: b64(key) }),
  async get(endpoint: string, key: string): Promise<{ value: string; lease: string | undefined } | undefined> {
    const res = await post(endpoint, '/v3/kv/range', { key: b64(key) });
    const kv = (res['kvs'] as { value?: string; lease?: string }[] | undefined)?.[0];
    return kv ? { value: Buffer.from(kv.value ?? '', 'base64').toString(), lease: kv.lease } : undefined;
  },
  async revision(endpoint: string): Promise<string> {
    const res = await post(endpoint, '/v3/kv/range', { key: b64('/') });
    return (res['header'] as { revision: string }).revision;
  },
  compact: (endpoint: string, revision: string) => post(endpoint, '/v3/kv/compaction', { revision, physical: true }),
  /** Watchers open on the server (etcd's own gauge). */
  async watchers(endpoint: string): Promise<number> {
    const text = await (await fetch(`${endpoint}/metrics`)).text();
    return Number(/^etcd_debugging_mvcc_watcher_total (\d+)$/m.exec(text)?.[1] ?? NaN);
  },
  revoke: (endpoint: string, lease: string) => post(endpoint, '/v3/lease/revoke', { ID: lease }),
};
