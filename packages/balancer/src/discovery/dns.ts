/**
 * DNS discovery: resolves a name (A, AAAA, both, or SRV) through `node:dns` on configurable
 * servers and delivers the instance list, refreshing by TTL.
 *
 * Timing. After an answer, the next refresh waits the answer's smallest TTL clamped to
 * [minRefreshMs, maxRefreshMs]; an answer without a TTL (SRV records from `node:dns`, targets that
 * are IP literals) waits maxRefreshMs. After a failure the n-th consecutive retry waits a full-jitter
 * backoff, uniform in [0, min(maxMs, baseMs x 2^(n-1))]. Every wait uses the injected runtime.
 *
 * Failures (timeout, SERVFAIL, refused, network, and any query of the refresh failing) go to
 * `sink.error`: the service keeps the last good list, logs the first failure of a streak and counts
 * every one. This source never throws after construction.
 *
 * Empty answers, decided deliberately:
 * - NODATA (the name exists but has no records of the type, or SRV records that all say `.`) is a
 *   successful answer that the service has no instances. It is applied, draining every instance,
 *   once `emptyConfirmations` consecutive refreshes (default 2, re-checked after minRefreshMs) agree,
 *   so one stray answer during a zone update cannot empty a service. Until then the last list stays.
 * - NXDOMAIN (the name does not exist) is a failure by default (`nxdomain: 'error'`): a misspelt
 *   name, a deleted record or a split-horizon mistake gives NXDOMAIN too, and draining a service on
 *   it turns a DNS mistake into an outage, whereas keeping a stale list costs little (health checks
 *   and outlier detection eject dead instances). Kubernetes answers NXDOMAIN for a headless service
 *   with no ready endpoints (kubernetes/dns#245); set `nxdomain: 'empty'` there to have NXDOMAIN
 *   treated like NODATA, confirmations included.
 */
import { realRuntime, type Timer } from '../runtime.js';
import { fullJitterBackoffMs } from '../retry/backoff.js';
import { isSkippedEntry, lookupAnswer, refreshDelayMs, type DnsAnswer } from './dns-answer.js';
import { resolveDnsConfig, type DnsDiscoveryConfig, type DnsDiscoveryOptions } from './dns-config.js';
import { dnsError, systemResolver, type DnsResolver } from './dns-resolver.js';
import { DeadlineResolver } from './dns-deadline.js';
import type { DiscoverySink, DiscoverySource } from './source.js';

export type { DnsAddressType, DnsDiscoveryConfig, DnsDiscoveryOptions, DnsRecordType } from './dns-config.js';
export type { DnsAddressRecord, DnsResolver, DnsSrvRecord } from './dns-resolver.js';

/** Counters of a DNS source, for tests and diagnostics. */
export interface DnsDiscoveryStats {
  /** Refreshes started. */
  readonly refreshes: number;
  /** Refreshes that failed (errors, NXDOMAIN with `nxdomain: 'error'`, answers without a usable record). */
  readonly failures: number;
  /** Failures since the last answer with a usable record or an empty answer. */
  readonly consecutiveFailures: number;
  /** Consecutive empty answers (NODATA, or NXDOMAIN with `nxdomain: 'empty'`); failures between them neither count nor reset. */
  readonly consecutiveEmpty: number;
  /** Delay of the scheduled refresh in ms; undefined while a refresh runs, before start and after close. */
  readonly nextRefreshMs: number | undefined;
  /** The last failure, if any. */
  readonly lastError: unknown;
}

export interface DnsDiscovery extends DiscoverySource {
  readonly kind: 'dns';
  /** The resolved options. */
  readonly config: DnsDiscoveryConfig;
  stats(): DnsDiscoveryStats;
}

/**
 * A discovery source resolving `options.name` by DNS. Options are validated here; invalid ones
 * throw a `BalancerConfigError` naming each (`dnsDiscovery.port: ...`). The first query runs on
 * `start()`. A custom `resolver` should not be shared: on failure or close the source calls its
 * `cancel()`, which cancels every query in flight on it.
 */
export function dnsDiscovery(options: DnsDiscoveryOptions): DnsDiscovery {
  const config = resolveDnsConfig(options);
  const runtime = options.runtime ?? realRuntime;
  const resolver: DnsResolver = options.resolver ?? systemResolver(config.servers, config.timeoutMs);
  const sinks = new Set<DiscoverySink>();
  const what = `${config.type} lookup of ${config.name}`;
  let last: readonly unknown[] | undefined;
  let timer: Timer | undefined;
  let nextRefreshMs: number | undefined;
  let round: DeadlineResolver | undefined;
  let started = false;
  let closed = false;
  let refreshes = 0;
  let failures = 0;
  let consecutiveFailures = 0;
  let consecutiveEmpty = 0;
  let lastError: unknown;

  const schedule = (delayMs: number): void => {
    if (closed) return;
    nextRefreshMs = delayMs;
    timer = runtime.setTimeout(refresh, delayMs);
  };

  /** The wait before the retry after the `consecutiveFailures`-th failure in a row. */
  const backoffMs = (): number =>
    fullJitterBackoffMs(consecutiveFailures, config.failureBackoff.baseMs, config.failureBackoff.maxMs, () => runtime.random());

  const deliver = (entries: readonly unknown[]): void => {
    last = entries;
    // Skipped records travel as `rejected`, named by the queried name, so the balancer logs and
    // counts them with its own rejects instead of as unparseable entries.
    const good = entries.filter((e) => !isSkippedEntry(e));
    const rejected = entries.filter(isSkippedEntry).map((message) => ({ path: `dns ${config.name}`, message }));
    for (const sink of sinks) {
      try {
        sink.update(good, { rejected });
      } catch {
        // A sink's own failure is not this source's; the other sinks and the schedule go on.
      }
    }
  };

  const fail = (error: unknown): void => {
    failures++;
    consecutiveFailures++;
    lastError = error;
    for (const sink of sinks) {
      try {
        sink.error(error);
      } catch {
        // As above.
      }
    }
    schedule(backoffMs());
  };

  const settle = (answer: DnsAnswer): void => {
    if (answer.kind === 'empty') {
      if (answer.reason === 'NXDOMAIN' && config.nxdomain === 'error') {
        fail(dnsError('ENOTFOUND', `${what}: the name does not exist (NXDOMAIN)`));
        return;
      }
      consecutiveFailures = 0;
      consecutiveEmpty++;
      if (consecutiveEmpty >= config.emptyConfirmations) deliver([]);
      schedule(config.minRefreshMs);
      return;
    }
    consecutiveEmpty = 0;
    if (answer.usable === 0) {
      // Every record was bad: the service rejects them all, keeps its list and reports it.
      failures++;
      consecutiveFailures++;
      lastError = new Error(`${what}: no usable record`);
      if (answer.entries.length > 0) deliver(answer.entries);
      schedule(backoffMs());
      return;
    }
    consecutiveFailures = 0;
    deliver(answer.entries);
    schedule(refreshDelayMs(answer.ttlS, config.minRefreshMs, config.maxRefreshMs));
  };

  function refresh(): void {
    timer = undefined;
    nextRefreshMs = undefined;
    refreshes++;
    const current = new DeadlineResolver(resolver, runtime, config.timeoutMs);
    round = current;
    lookupAnswer(current, config).then(
      (answer) => {
        if (round !== current) return;
        round = undefined;
        settle(answer);
      },
      (error: unknown) => {
        if (round !== current) return;
        round = undefined;
        current.abort();
        fail(error);
      },
    );
  }

  return {
    kind: 'dns',
    config,
    start(sink) {
      if (closed) return;
      sinks.add(sink);
      if (last !== undefined) sink.update(last);
      if (!started) {
        started = true;
        refresh();
      }
    },
    close() {
      closed = true;
      timer?.cancel();
      timer = undefined;
      nextRefreshMs = undefined;
      round?.abort();
      round = undefined;
      sinks.clear();
    },
    stats: () => ({ refreshes, failures, consecutiveFailures, consecutiveEmpty, nextRefreshMs, lastError }),
  };
}
