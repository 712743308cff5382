/**
 * One DNS refresh: query, then turn the answer into an instance list (or an empty answer).
 *
 * - A/AAAA: one instance per address, `${protocol}//${ip}:${port}` (IPv6 in brackets), weight 1.
 * - SRV: only the lowest priority group with at least one usable record is used; SRV priority is
 *   failover, so higher groups are not even resolved while a lower one works. In that group each
 *   record's target is resolved (or used as is when it is an IP literal) and every address becomes
 *   `${protocol}//${ip}:${record.port}` with the record's weight (0 becomes 1, the lowest the core
 *   takes). Records with the same address and port add their weights. When the largest weight
 *   exceeds the core's maximum (10,000) all weights are scaled down proportionally rather than
 *   clamped, so 20,000 : 60,000 stays 1 : 3. A target of `.` ("decidedly not available",
 *   RFC 2782) is dropped.
 * - Bad records (port 0, out-of-range numbers, a target that is not a host name or does not
 *   resolve, an address of the wrong family) never break the list: each is reported to the
 *   service as a rejected record (`skippedEntry`), logged with a warning naming the problem, the
 *   good entries are applied, and a list with no good entry is not applied at all (the service
 *   keeps the last good list and reports a discovery failure).
 * - Any other failure of any query (timeout, SERVFAIL, refused, network) fails the whole refresh:
 *   a partial list would drain healthy instances because of a DNS hiccup.
 */
import { isIP } from 'node:net';
import { MAX_WEIGHT } from '../instance/entry.js';
import { isDnsName, type DnsAddressType, type DnsDiscoveryConfig } from './dns-config.js';
import { queryErrorKind, type DnsAddressRecord, type DnsResolver, type DnsSrvRecord } from './dns-resolver.js';

export type DnsAnswer =
  /** Entries for the sink; `usable` of them are instances, the rest are skipped records. `ttlS` is the smallest TTL seen. */
  | { readonly kind: 'list'; readonly entries: readonly unknown[]; readonly usable: number; readonly ttlS: number | undefined }
  /** The name has no records of the type (NODATA) or does not exist (NXDOMAIN). */
  | { readonly kind: 'empty'; readonly reason: 'NODATA' | 'NXDOMAIN' };

/** Refresh delay for an answer whose smallest TTL is `ttlS` seconds: clamped to [min, max]; unknown TTL waits max. */
export function refreshDelayMs(ttlS: number | undefined, minMs: number, maxMs: number): number {
  if (ttlS === undefined) return maxMs;
  return Math.min(Math.max(ttlS * 1_000, minMs), maxMs);
}

/** A usable TTL in seconds, or undefined. Values above 2^31-1 count as 0 (RFC 2181, section 8). */
export function normaliseTtl(ttl: unknown): number | undefined {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) return undefined;
  return ttl > 2_147_483_647 ? 0 : ttl;
}

/**
 * An entry the service rejects ("expected an origin ..., got <this>"), so a bad record is logged as
 * skipped with its problem up front. It never parses as a URL: it starts with words and a space.
 */
export function skippedEntry(problem: string, record: string): string {
  return `${SKIPPED}${problem}): ${record}`;
}

const SKIPPED = 'DNS record skipped (';

/** True for an entry made by `skippedEntry`. */
export function isSkippedEntry(entry: unknown): entry is string {
  return typeof entry === 'string' && entry.startsWith(SKIPPED);
}

export function origin(protocol: string, address: string, port: number): string {
  return `${protocol}//${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

const minTtl = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

interface Address {
  readonly address: string;
  readonly ttlS: number | undefined;
}
type Addresses = { readonly addresses: Address[]; readonly skipped: string[] } | 'NODATA' | 'NXDOMAIN';

async function queryFamily(resolver: DnsResolver, name: string, family: 4 | 6): Promise<DnsAddressRecord[] | 'NODATA' | 'NXDOMAIN'> {
  try {
    return family === 4 ? await resolver.resolve4(name, { ttl: true }) : await resolver.resolve6(name, { ttl: true });
  } catch (error) {
    const kind = queryErrorKind(error);
    if (kind === 'failure') throw error;
    return kind;
  }
}

/** A, AAAA or both (in parallel) for `name`. Records present in either family win over NODATA/NXDOMAIN. */
export async function lookupAddresses(resolver: DnsResolver, name: string, type: DnsAddressType): Promise<Addresses> {
  const families: (4 | 6)[] = type === 'A' ? [4] : type === 'AAAA' ? [6] : [4, 6];
  const results = await Promise.all(families.map((f) => queryFamily(resolver, name, f)));
  const addresses: Address[] = [];
  const skipped: string[] = [];
  results.forEach((result, i) => {
    if (typeof result === 'string') return;
    const family = families[i]!;
    for (const record of result) {
      const address = (record as { address?: unknown } | undefined)?.address;
      if (typeof address === 'string' && isIP(address) === family) addresses.push({ address, ttlS: normaliseTtl(record.ttl) });
      else skipped.push(skippedEntry(`not an IPv${family} address`, `${family === 4 ? 'A' : 'AAAA'} ${name} -> ${JSON.stringify(address)}`));
    }
  });
  if (addresses.length > 0 || skipped.length > 0) return { addresses, skipped };
  return results.includes('NXDOMAIN') ? 'NXDOMAIN' : 'NODATA';
}

async function lookupAddressList(resolver: DnsResolver, config: DnsDiscoveryConfig): Promise<DnsAnswer> {
  const found = await lookupAddresses(resolver, config.name, config.type as DnsAddressType);
  if (typeof found === 'string') return { kind: 'empty', reason: found };
  const urls = new Set(found.addresses.map((a) => origin(config.protocol, a.address, config.port!)));
  const ttlS = found.addresses.reduce<number | undefined>((t, a) => minTtl(t, a.ttlS), undefined);
  return { kind: 'list', entries: [...urls, ...found.skipped], usable: urls.size, ttlS };
}

const isUint16 = (n: unknown, min = 0): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= 65_535;

/** What is wrong with an SRV record: a problem, `'unavailable'` for a `.` target, or undefined. */
function srvProblem(r: DnsSrvRecord): string | undefined {
  if (r.name === '' || r.name === '.') return 'unavailable';
  if (typeof r.name !== 'string' || (isIP(r.name) === 0 && !isDnsName(r.name))) return 'target is not a host name';
  if (r.port === 0) return 'port 0';
  if (!isUint16(r.port, 1)) return `port ${String(r.port)} out of range`;
  if (!isUint16(r.priority)) return `priority ${String(r.priority)} out of range`;
  if (!isUint16(r.weight)) return `weight ${String(r.weight)} out of range`;
  return undefined;
}

const describeSrv = (name: string, r: DnsSrvRecord): string =>
  `SRV ${name} -> ${JSON.stringify(r.name)}:${String(r.port)} priority ${String(r.priority)} weight ${String(r.weight)}`;

interface SrvInstance {
  url: string;
  weight: number;
  readonly targets: string[];
}

/** Scales weights down proportionally when the largest exceeds the core's maximum. */
export function scaleWeights(weights: readonly number[]): number[] {
  const max = Math.max(0, ...weights);
  if (max <= MAX_WEIGHT) return [...weights];
  return weights.map((w) => Math.max(1, Math.round((w * MAX_WEIGHT) / max)));
}

async function lookupSrvList(resolver: DnsResolver, config: DnsDiscoveryConfig): Promise<DnsAnswer> {
  let records: DnsSrvRecord[];
  try {
    records = await resolver.resolveSrv(config.name);
  } catch (error) {
    const kind = queryErrorKind(error);
    if (kind === 'failure') throw error;
    return { kind: 'empty', reason: kind };
  }
  const skipped: string[] = [];
  const valid: DnsSrvRecord[] = [];
  for (const r of records) {
    const problem = srvProblem(r);
    if (problem === undefined) valid.push(r);
    else if (problem !== 'unavailable') skipped.push(skippedEntry(problem, describeSrv(config.name, r)));
  }
  if (valid.length === 0 && skipped.length === 0) return { kind: 'empty', reason: 'NODATA' };

  let ttlS: number | undefined;
  for (const priority of [...new Set(valid.map((r) => r.priority))].sort((a, b) => a - b)) {
    const group = valid.filter((r) => r.priority === priority);
    const names = [...new Set(group.map((r) => r.name))].filter((n) => isIP(n) === 0);
    const looked = await Promise.all(names.map((n) => lookupAddresses(resolver, n, config.targetType)));
    const byName = new Map(names.map((n, i) => [n, looked[i]!]));
    const instances = new Map<string, SrvInstance>();
    let groupTtl: number | undefined;
    for (const r of group) {
      const found: Addresses = isIP(r.name) !== 0 ? { addresses: [{ address: r.name, ttlS: undefined }], skipped: [] } : byName.get(r.name)!;
      if (typeof found === 'string') {
        skipped.push(skippedEntry(`target does not resolve: ${found}`, describeSrv(config.name, r)));
        continue;
      }
      skipped.push(...found.skipped);
      groupTtl = minTtl(groupTtl, normaliseTtl(r.ttl));
      for (const a of found.addresses) {
        groupTtl = minTtl(groupTtl, a.ttlS);
        const url = origin(config.protocol, a.address, r.port);
        const existing = instances.get(url);
        if (existing) {
          existing.weight += Math.max(1, r.weight);
          if (!existing.targets.includes(r.name)) existing.targets.push(r.name);
        } else instances.set(url, { url, weight: Math.max(1, r.weight), targets: [r.name] });
      }
    }
    if (instances.size === 0) continue;
    ttlS = groupTtl;
    const list = [...instances.values()];
    const weights = scaleWeights(list.map((i) => i.weight));
    const entries = list.map((i, k) => ({
      url: i.url,
      weight: weights[k]!,
      metadata: { srvTarget: i.targets.join(','), srvPriority: String(priority) },
    }));
    return { kind: 'list', entries: [...entries, ...skipped], usable: entries.length, ttlS };
  }
  return { kind: 'list', entries: skipped, usable: 0, ttlS };
}

/** Runs the queries of one refresh. Rejects on any failure other than NXDOMAIN/NODATA of `config.name`. */
export function lookupAnswer(resolver: DnsResolver, config: DnsDiscoveryConfig): Promise<DnsAnswer> {
  return config.type === 'SRV' ? lookupSrvList(resolver, config) : lookupAddressList(resolver, config);
}
