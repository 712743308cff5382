/** Shared by the axios adapter tests: per-instance figures from a balancer snapshot. */
import type { Balancer } from '@datapunk/balancer';

export interface InstanceFigures {
  readonly requests: number;
  readonly failures: number;
  readonly cancelled: number;
  readonly inFlight: number;
}

/** Lifetime totals and in-flight count of every instance of `service`, by instance URL. */
export function figures(balancer: Balancer, service: string): Record<string, InstanceFigures> {
  const out: Record<string, InstanceFigures> = {};
  for (const i of balancer.snapshot().services[service]?.instances ?? []) {
    out[i.url] = { requests: i.totals.requests, failures: i.totals.failures, cancelled: i.totals.cancelled, inFlight: i.inFlight };
  }
  return out;
}

/** Sums of the figures over every instance of `service`. */
export function sums(balancer: Balancer, service: string): InstanceFigures {
  const all = Object.values(figures(balancer, service));
  const sum = (key: keyof InstanceFigures): number => all.reduce((n, f) => n + f[key], 0);
  return { requests: sum('requests'), failures: sum('failures'), cancelled: sum('cancelled'), inFlight: sum('inFlight') };
}
