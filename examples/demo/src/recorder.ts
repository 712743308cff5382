/**
 * The recorder: what the demo saw, kept for the live table, the summary and the report.
 *
 * Three sources, each used for what it knows best:
 * - the balancer's events (`observe()`: `stateChanged`, `ejection`, `panicChanged`): exact state timelines;
 * - a snapshot plus a collection of the balancer's own metrics every tick: attempts and failures
 *   per instance (share of traffic) and per-instance attempt latency from the duration histogram;
 * - every caller's result: what callers saw, retries included (success rate, latency).
 */
import type { Balancer, InstanceState } from '@datapunk/balancer';
import type { ClientName } from './clients.js';
import { bucketQuantile, bucketsDelta, bucketsSum, durationBucketsByInstance, type Buckets } from './metric-reading.js';
import { quantile } from './quantile.js';
import type { RequestResult } from './traffic.js';

export interface InstanceInfo {
  readonly service: string;
  /** Testkit id, e.g. `orders-1`. */
  readonly name: string;
  readonly url: string;
}

export interface InstanceSample {
  readonly state: InstanceState;
  /** Attempts finished during the tick, and failed ones (5xx, transport, timeouts). */
  readonly attempts: number;
  readonly failures: number;
  readonly inFlight: number;
  /** Attempt latency over the tick, from the metrics histogram, ms. */
  readonly buckets: Buckets | undefined;
}

export interface Sample {
  /** End of the tick, ms since the run started. */
  readonly tMs: number;
  readonly instances: Readonly<Record<string, InstanceSample>>;
  /** Caller requests that finished during the tick. */
  readonly calls: number;
  readonly callFailures: number;
  readonly callP50Ms: number | undefined;
  readonly callP99Ms: number | undefined;
}

export interface StateEvent {
  readonly tMs: number;
  readonly service: string;
  readonly instance: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface EjectionRecord {
  readonly tMs: number;
  readonly service: string;
  readonly instance: string;
  readonly reason: string;
  readonly enforced: boolean;
  readonly durationMs: number;
  readonly timesEjected: number;
}

export interface PanicRecord {
  readonly tMs: number;
  readonly service: string;
  readonly panic: boolean;
}

/** An instance over the last few ticks (the live table's row). */
export interface RecentFigures {
  state: InstanceState;
  /** Share of its service's attempts, 0..1. */
  share: number;
  attempts: number;
  failures: number;
  p50Ms?: number;
  p99Ms?: number;
  inFlight: number;
}

export interface ClientTally {
  requests: number;
  ok: number;
  readonly failures: Record<string, number>;
  readonly latenciesMs: number[];
}

export class Recorder {
  readonly samples: Sample[] = [];
  readonly states: StateEvent[] = [];
  readonly ejections: EjectionRecord[] = [];
  readonly panics: PanicRecord[] = [];
  readonly clients = new Map<ClientName, ClientTally>();
  /** Initial state per instance name (before any event). */
  readonly initialStates = new Map<string, InstanceState>();
  shed = 0;

  private readonly byUrl: Map<string, InstanceInfo>;
  private lastTotals = new Map<string, { requests: number; failures: number }>();
  private lastBuckets = new Map<string, Buckets>();
  private pending: RequestResult[] = [];

  constructor(
    readonly instances: readonly InstanceInfo[],
    private readonly now: () => number,
  ) {
    this.byUrl = new Map(instances.map((i) => [i.url, i]));
  }

  private nameOf(url: string): string {
    return this.byUrl.get(url)?.name ?? url;
  }

  /** Subscribes to the balancer's events; returns the unsubscribe function. */
  attach(balancer: Balancer): () => void {
    for (const service of Object.values(balancer.snapshot().services)) {
      for (const i of service.instances) this.initialStates.set(this.nameOf(i.url), i.state);
    }
    const subscription = balancer.observe({
      stateChanged: (e) =>
        this.states.push({ tMs: this.now(), service: e.service, instance: this.nameOf(e.instance.url), from: e.from, to: e.to, reason: e.reason }),
      ejection: (e) =>
        this.ejections.push({
          tMs: this.now(),
          service: e.service,
          instance: this.nameOf(e.instance.url),
          reason: e.reason,
          enforced: e.enforced,
          durationMs: e.durationMs,
          timesEjected: e.timesEjected,
        }),
      panicChanged: (e) => this.panics.push({ tMs: this.now(), service: e.service, panic: e.panic }),
    });
    return () => subscription.dispose();
  }

  result(r: RequestResult): void {
    let tally = this.clients.get(r.client);
    if (!tally) this.clients.set(r.client, (tally = { requests: 0, ok: 0, failures: {}, latenciesMs: [] }));
    tally.requests++;
    if (r.ok) tally.ok++;
    else tally.failures[r.failure ?? 'error'] = (tally.failures[r.failure ?? 'error'] ?? 0) + 1;
    tally.latenciesMs.push(r.latencyMs);
    this.pending.push(r);
  }

  /** Records one tick from a balancer snapshot and a metrics collection. */
  tick(balancer: Balancer, metrics: Parameters<typeof durationBucketsByInstance>[0] | undefined): Sample {
    const buckets = metrics ? durationBucketsByInstance(metrics) : new Map<string, Buckets>();
    const instances: Record<string, InstanceSample> = {};
    for (const service of Object.values(balancer.snapshot().services)) {
      for (const i of service.instances) {
        const last = this.lastTotals.get(i.url) ?? { requests: 0, failures: 0 };
        const cumulative = buckets.get(i.url);
        instances[this.nameOf(i.url)] = {
          state: i.state,
          attempts: i.totals.requests - last.requests,
          failures: i.totals.failures - last.failures,
          inFlight: i.inFlight,
          buckets: cumulative && bucketsDelta(cumulative, this.lastBuckets.get(i.url)),
        };
        this.lastTotals.set(i.url, { requests: i.totals.requests, failures: i.totals.failures });
        if (cumulative) this.lastBuckets.set(i.url, cumulative);
      }
    }
    const done = this.pending;
    this.pending = [];
    const latencies = done.map((r) => r.latencyMs);
    const sample: Sample = {
      tMs: this.now(),
      instances,
      calls: done.length,
      callFailures: done.filter((r) => !r.ok).length,
      callP50Ms: quantile(latencies, 0.5),
      callP99Ms: quantile(latencies, 0.99),
    };
    this.samples.push(sample);
    return sample;
  }

  /**
   * Per-instance figures over the last `count` samples: share of its service's attempts, failed
   * attempts, attempt p50/p99 (ms, from the histogram) and the latest state.
   */
  recent(count: number): Map<string, RecentFigures> {
    const window = this.samples.slice(-count);
    const out = new Map<string, RecentFigures>();
    const serviceAttempts = new Map<string, number>();
    for (const info of this.instances) {
      const parts = window.map((s) => s.instances[info.name]).filter((p) => p !== undefined);
      const attempts = parts.reduce((a, p) => a + p.attempts, 0);
      serviceAttempts.set(info.service, (serviceAttempts.get(info.service) ?? 0) + attempts);
      const buckets = bucketsSum(parts.flatMap((p) => (p.buckets ? [p.buckets] : [])));
      const p50 = buckets && bucketQuantile(buckets, 0.5);
      const p99 = buckets && bucketQuantile(buckets, 0.99);
      out.set(info.name, {
        state: parts.at(-1)?.state ?? this.initialStates.get(info.name) ?? 'healthy',
        share: attempts,
        attempts,
        failures: parts.reduce((a, p) => a + p.failures, 0),
        ...(p50 === undefined ? {} : { p50Ms: p50 * 1000 }),
        ...(p99 === undefined ? {} : { p99Ms: p99 * 1000 }),
        inFlight: parts.at(-1)?.inFlight ?? 0,
      });
    }
    for (const info of this.instances) {
      const row = out.get(info.name)!;
      const total = serviceAttempts.get(info.service) ?? 0;
      row.share = total > 0 ? row.attempts / total : 0;
    }
    return out;
  }

  /** Enforced ejections so far, per instance name. */
  ejectionCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.ejections) if (e.enforced) out.set(e.instance, (out.get(e.instance) ?? 0) + 1);
    return out;
  }

  /** Returns to `healthy` from `ejected` or `unhealthy`. */
  recoveries(): StateEvent[] {
    return this.states.filter((s) => s.to === 'healthy' && (s.from === 'ejected' || s.from === 'unhealthy'));
  }
}
