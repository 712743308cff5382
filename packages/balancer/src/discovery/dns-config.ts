/**
 * Options of DNS discovery, validated eagerly in the factory: every problem is collected with its
 * path (`dnsDiscovery.port: ...`) and thrown together as a `BalancerConfigError`.
 */
import { isIP } from 'node:net';
import { deepFreeze } from '../config/config.js';
import { Issues, readEnum, readMs, readNumber, readObject, show } from '../config/validate.js';
import { BalancerConfigError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { DnsResolver } from './dns-resolver.js';

/** Which records are queried for `name`. */
export type DnsRecordType = 'A' | 'AAAA' | 'A+AAAA' | 'SRV';
/** Which address records are queried (for `name`, or for SRV targets). */
export type DnsAddressType = Exclude<DnsRecordType, 'SRV'>;

/** Options of `dnsDiscovery`: the name and record type to resolve, the servers, and how often to refresh. */
export interface DnsDiscoveryOptions {
  /** The DNS name to resolve, e.g. `orders.internal` or `_http._tcp.orders.internal` (SRV). Required. */
  readonly name: string;
  /**
   * `'A'`, `'AAAA'`, `'A+AAAA'` (both, queried in parallel) or `'SRV'`. Defaults to `'A+AAAA'`, as
   * `getaddrinfo` and gRPC do: a name without AAAA records costs one NODATA answer. Use `'A'` on
   * hosts without IPv6 routes when the name also publishes AAAA records.
   */
  readonly type?: DnsRecordType;
  /** Port of every instance, 1-65535. Required for A/AAAA; not allowed with SRV (each record has its port). */
  readonly port?: number;
  /** SRV only: which address records are queried for targets that are not IP literals. Defaults to `'A+AAAA'`. */
  readonly targetType?: DnsAddressType;
  /** Scheme of the instance origins. Defaults to `'http:'`. */
  readonly protocol?: 'http:' | 'https:';
  /**
   * DNS servers, each `'ip'` or `'ip:port'` (`'[ipv6]:port'`). Defaults to the system's
   * (resolv.conf). Not allowed with a custom `resolver`.
   */
  readonly servers?: readonly string[];
  /** Floor of the refresh interval, in milliseconds: a TTL shorter than this waits this long. Defaults to 1 s. */
  readonly minRefreshMs?: number;
  /**
   * Ceiling of the refresh interval, in milliseconds: a longer TTL (or none, as with SRV answers
   * from `node:dns`) waits this long. Defaults to 30 s.
   */
  readonly maxRefreshMs?: number;
  /**
   * Retry delays after a failed refresh: full jitter, uniform in [0, min(maxMs, baseMs x 2^(n-1))]
   * for the n-th consecutive failure. Defaults to `{ baseMs: 1_000, maxMs: 30_000 }`.
   */
  readonly failureBackoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Deadline of each query, in milliseconds; a query past it fails the refresh (`ETIMEOUT`). Defaults to 5 s. */
  readonly timeoutMs?: number;
  /**
   * How many consecutive empty answers (NODATA; NXDOMAIN too with `nxdomain: 'empty'`) it takes to
   * deliver an empty list (every instance drains). Re-checks wait `minRefreshMs`. Defaults to 2.
   */
  readonly emptyConfirmations?: number;
  /**
   * NXDOMAIN (the name does not exist): `'error'` (default) keeps the last good list and retries
   * with backoff, as a misspelt or deleted name must not drain a service; `'empty'` treats it as an
   * empty answer, for Kubernetes headless services, whose DNS answers NXDOMAIN at zero endpoints.
   */
  readonly nxdomain?: 'error' | 'empty';
  /** Clock, timers and randomness. Defaults to the real runtime. */
  readonly runtime?: Runtime;
  /** The resolver to query. Defaults to a `node:dns` `Resolver` on `servers`. */
  readonly resolver?: DnsResolver;
}

/** The resolved, frozen options (durations in ms). */
export interface DnsDiscoveryConfig {
  readonly name: string;
  readonly type: DnsRecordType;
  readonly port: number | undefined;
  readonly targetType: DnsAddressType;
  readonly protocol: 'http:' | 'https:';
  readonly servers: readonly string[] | undefined;
  readonly minRefreshMs: number;
  readonly maxRefreshMs: number;
  readonly failureBackoff: { readonly baseMs: number; readonly maxMs: number };
  readonly timeoutMs: number;
  readonly emptyConfirmations: number;
  readonly nxdomain: 'error' | 'empty';
}

export const DNS_DEFAULTS = {
  type: 'A+AAAA' as DnsRecordType,
  targetType: 'A+AAAA' as DnsAddressType,
  protocol: 'http:' as const,
  minRefreshMs: 1_000,
  maxRefreshMs: 30_000,
  failureBackoff: { baseMs: 1_000, maxMs: 30_000 },
  timeoutMs: 5_000,
  emptyConfirmations: 2,
  nxdomain: 'error' as const,
};

const KEYS = [
  'name',
  'type',
  'port',
  'targetType',
  'protocol',
  'servers',
  'minRefreshMs',
  'maxRefreshMs',
  'failureBackoff',
  'timeoutMs',
  'emptyConfirmations',
  'nxdomain',
  'runtime',
  'resolver',
];

/** Labels of letters, digits, `-` and `_` (SRV owner names), at most 63 each, 253 in all; a final dot is allowed. */
const DNS_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** True for a DNS name DNS discovery accepts (also used for SRV targets). */
export function isDnsName(value: string): boolean {
  return DNS_NAME.test(value);
}

/** `'ip'`, `'ipv4:port'` or `'[ipv6]:port'`, as `Resolver.setServers` takes them. */
export function isServerAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (!m) return false;
  const port = Number(m[3]);
  const ipOk = m[1] !== undefined ? isIP(m[1]) === 6 : isIP(m[2] ?? '') === 4;
  return ipOk && port >= 1 && port <= 65_535;
}

const hasMethods = (value: unknown, names: readonly string[]): boolean =>
  typeof value === 'object' && value !== null && names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

export function resolveDnsConfig(options: unknown, path = 'dnsDiscovery'): DnsDiscoveryConfig {
  const issues = new Issues();
  const o = readObject(options, path, issues, KEYS) ?? {};
  const d = DNS_DEFAULTS;

  let name = '';
  if (typeof o.name !== 'string' || !isDnsName(o.name)) {
    issues.add(`${path}.name`, `expected a DNS name such as "orders.internal", got ${show(o.name)}`);
  } else name = o.name;
  const type = readEnum(o.type, `${path}.type`, issues, ['A', 'AAAA', 'A+AAAA', 'SRV'], d.type);

  let port: number | undefined;
  if (type === 'SRV') {
    if (o.port !== undefined) issues.add(`${path}.port`, 'not allowed with type "SRV": each SRV record carries its port');
  } else if (o.port === undefined) {
    issues.add(`${path}.port`, `required with type "${type}": expected an integer from 1 to 65535, got nothing`);
  } else port = readNumber(o.port, `${path}.port`, issues, { min: 1, max: 65_535, integer: true }, 0);
  if (type !== 'SRV' && o.targetType !== undefined) issues.add(`${path}.targetType`, 'only allowed with type "SRV"');
  const targetType = readEnum(o.targetType, `${path}.targetType`, issues, ['A', 'AAAA', 'A+AAAA'], d.targetType);
  const protocol = readEnum(o.protocol, `${path}.protocol`, issues, ['http:', 'https:'], d.protocol);

  let servers: string[] | undefined;
  if (o.servers !== undefined) {
    if (!Array.isArray(o.servers) || o.servers.length === 0) {
      issues.add(`${path}.servers`, `expected a non-empty array of "ip" or "ip:port", got ${show(o.servers)}`);
    } else {
      servers = [];
      o.servers.forEach((s: unknown, i) => {
        if (typeof s === 'string' && isServerAddress(s)) servers!.push(s);
        else issues.add(`${path}.servers[${i}]`, `expected "ip", "ipv4:port" or "[ipv6]:port", got ${show(s)}`);
      });
    }
    if (o.resolver !== undefined) issues.add(`${path}.servers`, 'not allowed with a custom resolver (configure the resolver instead)');
  }

  const minRefreshMs = readMs(o.minRefreshMs, `${path}.minRefreshMs`, issues, d.minRefreshMs, true);
  const maxRefreshMs = readMs(o.maxRefreshMs, `${path}.maxRefreshMs`, issues, d.maxRefreshMs, true);
  if (minRefreshMs > maxRefreshMs) {
    issues.add(`${path}.maxRefreshMs`, `expected at least minRefreshMs (${minRefreshMs}), got ${maxRefreshMs}`);
  }
  const fb = o.failureBackoff === undefined ? {} : (readObject(o.failureBackoff, `${path}.failureBackoff`, issues, ['baseMs', 'maxMs']) ?? {});
  const baseMs = readMs(fb.baseMs, `${path}.failureBackoff.baseMs`, issues, d.failureBackoff.baseMs, true);
  const maxMs = readMs(fb.maxMs, `${path}.failureBackoff.maxMs`, issues, Math.max(d.failureBackoff.maxMs, baseMs), true);
  if (baseMs > maxMs) issues.add(`${path}.failureBackoff.maxMs`, `expected at least baseMs (${baseMs}), got ${maxMs}`);

  const config: DnsDiscoveryConfig = {
    name,
    type,
    port,
    targetType,
    protocol,
    servers,
    minRefreshMs,
    maxRefreshMs,
    failureBackoff: { baseMs, maxMs },
    timeoutMs: readMs(o.timeoutMs, `${path}.timeoutMs`, issues, d.timeoutMs, true),
    emptyConfirmations: readNumber(o.emptyConfirmations, `${path}.emptyConfirmations`, issues, { min: 1, max: 100, integer: true }, d.emptyConfirmations),
    nxdomain: readEnum(o.nxdomain, `${path}.nxdomain`, issues, ['error', 'empty'], d.nxdomain),
  };
  if (o.runtime !== undefined && !hasMethods(o.runtime, ['now', 'setTimeout', 'random'])) {
    issues.add(`${path}.runtime`, `expected a Runtime with now(), setTimeout() and random(), got ${show(o.runtime)}`);
  }
  if (o.resolver !== undefined && !hasMethods(o.resolver, ['resolve4', 'resolve6', 'resolveSrv', 'cancel'])) {
    issues.add(`${path}.resolver`, `expected a resolver with resolve4(), resolve6(), resolveSrv() and cancel(), got ${show(o.resolver)}`);
  }
  if (!issues.empty) throw new BalancerConfigError(issues.list);
  return deepFreeze(config);
}
