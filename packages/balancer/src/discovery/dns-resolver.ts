/**
 * The resolver seam of DNS discovery: the three queries it makes, the default implementation on
 * `node:dns` (c-ares, configurable servers, no `getaddrinfo` and no system cache), and how a
 * query's error is read (the name does not exist, the name has no such records, or a failure).
 */
import { Resolver } from 'node:dns/promises';

/** An A or AAAA answer record. `ttl` is in seconds. */
export interface DnsAddressRecord {
  readonly address: string;
  readonly ttl: number;
}

/**
 * An SRV answer record. `node:dns` does not report the TTL of SRV records; a custom resolver may
 * set `ttl` (seconds) and it is then used like an address TTL.
 */
export interface DnsSrvRecord {
  /** The target host name (or an IP literal); `''` or `'.'` means "service not available here". */
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
  readonly ttl?: number;
}

/**
 * What DNS discovery needs from a resolver. `node:dns/promises`' `Resolver` fits as is; tests
 * inject a fake. Errors carry Node's DNS codes (`ENOTFOUND` for NXDOMAIN, `ENODATA` for NODATA,
 * `ETIMEOUT`, `ESERVFAIL`, `EREFUSED`, `ECONNREFUSED`, ...).
 */
export interface DnsResolver {
  resolve4(hostname: string, options: { ttl: true }): Promise<DnsAddressRecord[]>;
  resolve6(hostname: string, options: { ttl: true }): Promise<DnsAddressRecord[]>;
  resolveSrv(hostname: string): Promise<DnsSrvRecord[]>;
  /** Cancels every outstanding query; they reject with `ECANCELLED`. */
  cancel(): void;
}

/**
 * A `node:dns` resolver on `servers` (the system's resolv.conf servers when undefined).
 * `timeoutMs` is split over two tries per server; DNS discovery also enforces it as a deadline on
 * the injected runtime, so this only keeps c-ares from retrying long after the deadline.
 */
export function systemResolver(servers: readonly string[] | undefined, timeoutMs: number): DnsResolver {
  const resolver = new Resolver({ timeout: Math.max(1, Math.ceil(timeoutMs / 2)), tries: 2 });
  if (servers) resolver.setServers([...servers]);
  return resolver;
}

/** How a failed query reads: the name does not exist, it has no records of the type, or it failed. */
export type QueryErrorKind = 'NXDOMAIN' | 'NODATA' | 'failure';

export function queryErrorKind(error: unknown): QueryErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND') return 'NXDOMAIN';
  if (code === 'ENODATA') return 'NODATA';
  return 'failure';
}

/** An `Error` with a Node-style DNS `code`, so logs (`errorFields`) and callers can branch on it. */
export function dnsError(code: string, message: string, cause?: unknown): Error & { code: string } {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code: string };
  error.code = code;
  return error;
}
