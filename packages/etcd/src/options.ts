/**
 * Options shared by `etcdDiscovery` and `register`, and their strict resolution: every problem is
 * collected with its path and thrown at once as an `EtcdConfigError`; defaults apply with `??`.
 */
import type { Logger } from '@datapunk/balancer';
import { realRuntime, redactUrl, silentLogger, type ConfigIssue, type Runtime } from '@datapunk/balancer/adapter';
import { resolveAuth, type Credentials, type EtcdAuthOptions } from './auth.js';
import { EtcdConfigError } from './errors.js';
import { DEFAULT_PREFIX, segmentProblem, serviceDirectory } from './keys.js';
import { resolveTls, type EtcdTlsOptions, type TlsSettings } from './tls.js';

/** How to reach etcd; common to discovery and registration. */
export interface EtcdConnectionOptions {
  /**
   * etcd client URLs, e.g. `'http://127.0.0.1:2379'` or several members of a cluster (tried in
   * turn when one fails). `https:` endpoints use `tls`. No credentials in the URL: use `auth`.
   */
  readonly endpoints: string | readonly string[];
  /** Name of the service, e.g. `'orders'`: a single key path segment (no `/`). */
  readonly service: string;
  /** Key prefix under which services live. Default `'/datapunk/services/'`. */
  readonly prefix?: string;
  /** Timeout of each request to etcd, in milliseconds. Default 5000. */
  readonly requestTimeoutMs?: number;
  /** First retry delay after a failure, in milliseconds; doubles per failure, with jitter. Default 250. */
  readonly backoffBaseMs?: number;
  /** Largest retry delay, in milliseconds. Default 5000. */
  readonly backoffMaxMs?: number;
  /** pino-compatible logger for skipped entries, failures and recoveries. Default: silent. */
  readonly logger?: Logger;
  /** Clock, timers and randomness. Default: the real ones, timers unref'd. */
  readonly runtime?: Runtime;
  /** TLS settings for `https:` endpoints: CA, client certificate and key (PEM), server name. */
  readonly tls?: EtcdTlsOptions;
  /**
   * etcd user and password, for etcd with auth enabled: a token from `/v3/auth/authenticate` is
   * sent with every call and fetched again when etcd rejects it (expired, password changed).
   * Default: no credentials.
   */
  readonly auth?: EtcdAuthOptions;
}

/** Resolved connection options. */
export interface EtcdConnectionConfig {
  readonly endpoints: readonly URL[];
  readonly service: string;
  /** The service's directory, `<prefix><service>/`. */
  readonly directory: string;
  readonly requestTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly logger: Logger;
  readonly runtime: Runtime;
  readonly tls: TlsSettings | undefined;
  readonly auth: Credentials | undefined;
}

export const CONNECTION_KEYS = [
  'endpoints',
  'service',
  'prefix',
  'requestTimeoutMs',
  'backoffBaseMs',
  'backoffMaxMs',
  'logger',
  'runtime',
  'tls',
  'auth',
] as const;

/** Collects problems; `throwIfAny` raises them together. */
export class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new EtcdConfigError(this.list);
  }
}

/** Renders a value for a message; strings are redacted (`"http://***@host"`) before they are cut. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    const text = redactUrl(value);
    return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Reports keys of `options` that are not in `known` (typos would otherwise be ignored). */
export function checkKnownKeys(options: unknown, known: readonly string[], issues: Issues): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    issues.add('options', `expected an object, got ${show(options)}`);
    issues.throwIfAny();
  }
  for (const key of Object.keys(options as object)) {
    if (!known.includes(key)) issues.add(key, `unknown option (known: ${known.join(', ')})`);
  }
}

/** A non-negative integer number of milliseconds (zero means zero), or the default when absent. */
export function readMs(value: unknown, path: string, issues: Issues, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    issues.add(path, `expected an integer number of milliseconds >= ${min}, got ${show(value)}`);
    return fallback;
  }
  return value;
}

export function resolveConnection(options: EtcdConnectionOptions, issues: Issues): EtcdConnectionConfig {
  const endpoints: URL[] = [];
  const raw = typeof options.endpoints === 'string' ? [options.endpoints] : options.endpoints;
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.add('endpoints', `expected a URL or a non-empty array of URLs, got ${show(options.endpoints)}`);
  } else {
    raw.forEach((value: unknown, i) => {
      const path = typeof options.endpoints === 'string' ? 'endpoints' : `endpoints[${i}]`;
      let url: URL | undefined;
      try {
        url = typeof value === 'string' ? new URL(value) : undefined;
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '')) {
        issues.add(path, `expected an etcd client URL like "http://127.0.0.1:2379", got ${show(redactUserinfo(value))}`);
      } else if (url.username !== '' || url.password !== '') {
        issues.add(path, `expected no credentials in the URL (use the auth option), got ${show(redactUserinfo(value))}`);
      } else endpoints.push(new URL(url.origin));
    });
  }
  const serviceProblem = segmentProblem(options.service, 'service name');
  if (serviceProblem) issues.add('service', serviceProblem);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    issues.add('prefix', `expected a key prefix starting with "/", got ${show(prefix)}`);
  }
  const backoffBaseMs = readMs(options.backoffBaseMs, 'backoffBaseMs', issues, 250);
  const backoffMaxMs = readMs(options.backoffMaxMs, 'backoffMaxMs', issues, 5_000);
  if (backoffMaxMs < backoffBaseMs) issues.add('backoffMaxMs', `expected at least backoffBaseMs (${backoffBaseMs}), got ${backoffMaxMs}`);
  const directory = typeof prefix === 'string' ? serviceDirectory(prefix, String(options.service)) : '';
  return {
    endpoints,
    service: options.service,
    directory,
    requestTimeoutMs: readMs(options.requestTimeoutMs, 'requestTimeoutMs', issues, 5_000, 1),
    backoffBaseMs,
    backoffMaxMs,
    logger: options.logger ?? silentLogger,
    runtime: options.runtime ?? realRuntime,
    tls: resolveTls(options.tls, endpoints, issues),
    auth: resolveAuth(options.auth, issues),
  };
}

/** `scheme://user:password@host` with the userinfo masked, for messages. */
function redactUserinfo(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1***@') : value;
}

/** Logs, once at construction, the settings that weaken security: they may be deliberate. */
export function warnInsecure(config: EtcdConnectionConfig): void {
  if (config.tls && !config.tls.verified) {
    config.logger.warn({ event: 'etcd-tls-unverified' }, "tls.rejectUnauthorized is false: etcd's certificate is not verified");
  }
  const plain = config.endpoints.filter((e) => e.protocol === 'http:').map((e) => e.origin);
  if (config.auth && plain.length > 0) {
    config.logger.warn({ event: 'etcd-auth-plaintext', endpoints: plain }, `etcd credentials go unencrypted to ${plain.join(', ')}: use https:`);
  }
}
