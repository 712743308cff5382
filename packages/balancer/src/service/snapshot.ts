/**
 * Snapshots: JSON-serialisable state for dashboards, debugging and tests.
 */
import type { InstanceRecord, InstanceState } from '../instance/instance.js';
import type { Strategy } from '../strategies/strategy.js';

/** One instance in a snapshot: identity, state, load and lifetime counters. */
export interface InstanceSnapshot {
  readonly id: string;
  readonly url: string;
  readonly state: InstanceState;
  readonly inFlight: number;
  /** Configured weight. */
  readonly weight: number;
  /** Weight strategies use now (lower during slow start). */
  readonly effectiveWeight: number;
  readonly zone: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** Result of active health checks ('healthy' when checks are off). */
  readonly health: 'healthy' | 'unhealthy';
  /** Present while ejected. */
  readonly ejection: { readonly reason: string; readonly remainingMs: number } | undefined;
  /** Ejections in a row (the ejection time multiplier). */
  readonly timesEjected: number;
  /** Present while draining: for how long, ms. */
  readonly drainingForMs: number | undefined;
  /** Outlier detection counters. */
  readonly consecutiveFailures: number;
  readonly consecutiveGatewayFailures: number;
  /** Lifetime counts of finished attempts. */
  readonly totals: { readonly requests: number; readonly failures: number; readonly cancelled: number; readonly ejections: number };
  /** Strategy figures, e.g. `{ ewmaMs }` for peak-ewma. */
  readonly strategy: Readonly<Record<string, number | string | boolean>> | undefined;
}

/** One service in a snapshot: its strategy, panic state and instances. */
export interface ServiceSnapshot {
  readonly name: string;
  readonly strategy: string;
  /** True while the healthy share is below the panic threshold. */
  readonly panic: boolean;
  /** Healthy instances, and instances not draining. */
  readonly healthy: number;
  readonly total: number;
  readonly instances: readonly InstanceSnapshot[];
}

/** What `balancer.snapshot()` returns: every service, JSON-serialisable, secrets redacted. */
export interface BalancerSnapshot {
  readonly services: Readonly<Record<string, ServiceSnapshot>>;
}

export function instanceSnapshot(r: InstanceRecord, now: number, strategy: Strategy): InstanceSnapshot {
  return {
    id: r.id,
    url: r.url,
    state: r.state,
    inFlight: r.inFlight,
    weight: r.spec.weight,
    effectiveWeight: Math.round(r.weight * 1000) / 1000,
    zone: r.zone,
    metadata: { ...r.metadata },
    health: r.health,
    ejection: r.ejection && { reason: r.ejection.reason, remainingMs: Math.max(0, Math.round(r.ejection.until - now)) },
    timesEjected: r.timesEjected,
    drainingForMs: r.draining && Math.round(now - r.draining.since),
    consecutiveFailures: r.outlier.consecutiveFailures,
    consecutiveGatewayFailures: r.outlier.consecutiveGatewayFailures,
    totals: { ...r.totals },
    strategy: strategy.describe?.(r, now),
  };
}

/** A service's snapshot: its eligible set's figures and every instance. */
export function serviceSnapshot(
  name: string,
  strategy: Strategy,
  eligible: { readonly panic: boolean; readonly healthy: number; readonly total: number },
  records: Iterable<InstanceRecord>,
  now: number,
): ServiceSnapshot {
  const { panic, healthy, total } = eligible;
  return { name, strategy: strategy.name, panic, healthy, total, instances: [...records].map((r) => instanceSnapshot(r, now, strategy)) };
}
