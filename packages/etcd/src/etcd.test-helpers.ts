import type { Balancer, Logger } from '@datapunk/balancer';
import type { DiscoverySink } from '@datapunk/balancer/adapter';
import { etcdAuthenticate, gatewayPost, type EtcdServer } from '@datapunk/testkit';

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
      // Our lines carry their fields under the `balancer` key (namespacedLogger): flattened here.
      const { balancer, ...rest } = fields as { balancer?: Record<string, unknown> };
      lines.push({ level, fields: { ...bindings, ...balancer, ...rest }, message });
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

/** An etcd to talk to: a plain endpoint, or a testkit server (then as root, over its TLS). */
type Target = string | EtcdServer;

async function post(target: Target, path: string, body: unknown): Promise<Record<string, unknown>> {
  if (typeof target !== 'string') return target.call(path, body);
  const res = await fetch(target + path, { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}

/** Raw etcd access for tests, bypassing the package under test. */
export const raw = {
  put: (endpoint: Target, key: string, value: string | Buffer, lease?: string) =>
    post(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) }),
  delete: (endpoint: Target, key: string) => post(endpoint, '/v3/kv/deleterange', { key: b64(key) }),
  async get(endpoint: Target, key: string): Promise<{ value: string; lease: string | undefined } | undefined> {
    const res = await post(endpoint, '/v3/kv/range', { key: b64(key) });
    const kv = (res['kvs'] as { value?: string; lease?: string }[] | undefined)?.[0];
    return kv ? { value: Buffer.from(kv.value ?? '', 'base64').toString(), lease: kv.lease } : undefined;
  },
  async revision(endpoint: Target): Promise<string> {
    const res = await post(endpoint, '/v3/kv/range', { key: b64('/') });
    return (res['header'] as { revision: string }).revision;
  },
  compact: (endpoint: Target, revision: string) => post(endpoint, '/v3/kv/compaction', { revision, physical: true }),
  /** Watchers open on the server (etcd's own gauge). */
  async watchers(endpoint: string): Promise<number> {
    const text = await (await fetch(`${endpoint}/metrics`)).text();
    return Number(/^etcd_debugging_mvcc_watcher_total (\d+)$/m.exec(text)?.[1] ?? NaN);
  },
  revoke: (endpoint: Target, lease: string) => post(endpoint, '/v3/lease/revoke', { ID: lease }),
};

/**
 * Resolves once etcd has forgotten every token of `user` last used before this call, by etcd's
 * own clock (`--auth-token-ttl` counts from a token's last use, checked once a second). A token
 * is only observable by using it, which renews it, so this takes `probes` fresh tokens now and
 * tries one after another, `intervalMs` apart: the first probe found invalid was issued after the
 * tokens in question were last used, so they are gone too. Bounded: fails after the last probe.
 */
export async function waitForTokenExpiry(etcd: EtcdServer, user: string, password: string, key = '/datapunk/services/', probes = 12, intervalMs = 400): Promise<void> {
  const tokens: string[] = [];
  for (let i = 0; i < probes; i++) tokens.push(await etcdAuthenticate(etcd.endpoint, etcd.clientTls, user, password));
  for (const token of tokens) {
    const answer = await gatewayPost(etcd.endpoint, '/v3/kv/range', { key: Buffer.from(key).toString('base64'), count_only: true }, { tls: etcd.clientTls, token });
    if (answer.status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`etcd still accepted the last of ${probes} tokens of ${user} after ${probes * intervalMs} ms: is --auth-token-ttl short?`);
}

export interface Result {
  readonly origin: string;
  readonly status: number;
}

/** One request to http://orders/ through the core Call API and Node's fetch. */
export async function send(balancer: Balancer): Promise<Result> {
  const call = balancer.call({ method: 'GET', url: new URL('http://orders/') })!;
  const attempt = call.next();
  if (!attempt.ok) throw attempt.error;
  try {
    const res = await fetch(attempt.target.url);
    await res.arrayBuffer();
    attempt.end({ status: res.status });
    return { origin: attempt.target.origin, status: res.status };
  } catch (error) {
    attempt.end({ error });
    throw error;
  }
}

/**
 * `sink`, with `action` run synchronously after the first list: the source delivers that list
 * inside its read, so `action` happens between the read and the watch that follows it.
 */
export function betweenReadAndWatch(sink: DiscoverySink, action: () => void): DiscoverySink {
  let first = true;
  return {
    ...sink,
    update(entries, details) {
      sink.update(entries, details);
      if (!first) return;
      first = false;
      action();
    },
  };
}
