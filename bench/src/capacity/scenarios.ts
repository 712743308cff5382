/**
 * Fleets that have what real fleets have (issue 12): instances with a fixed number of workers and
 * a queue, several independent client balancers sharing them, and faults that end.
 */
import type { CapacityOptions, LatencySpec } from '@datapunk/testkit';

export interface CapacityScenario {
  readonly name: 'equal' | 'recovery' | 'heterogeneous';
  readonly instances: number;
  readonly capacity: CapacityOptions;
  /** Independent client balancers; arrivals are dealt to them in turn. */
  readonly clients: number;
  /** Total open-loop arrival rate, requests per second. */
  readonly ratePerSec: number;
  /** Unmeasured start (connections, JIT, first estimates). */
  readonly warmupMs: number;
  /** Measured phase. */
  readonly measureMs: number;
  /** Instance `index` slower (`latency`) from `fromMs` to `toMs` of the measured phase (toMs = measureMs: to the end). */
  readonly slow?: { readonly index: number; readonly latency: LatencySpec; readonly fromMs: number; readonly toMs: number };
}

export const BASE_LATENCY: LatencySpec = { kind: 'lognormal', medianMs: 10, sigma: 0.25 };
const CAPACITY: CapacityOptions = { workers: 2, queue: 64 };

/** Full-run scenarios; `scale` shortens the phases (quick runs, the test). */
export function capacityScenarios(scale = 1): CapacityScenario[] {
  const ms = (full: number): number => Math.round(full * scale);
  return [
    { name: 'equal', instances: 4, capacity: CAPACITY, clients: 4, ratePerSec: 300, warmupMs: ms(1_000), measureMs: ms(10_000) },
    {
      name: 'recovery',
      instances: 4,
      capacity: CAPACITY,
      clients: 4,
      ratePerSec: 300,
      warmupMs: ms(1_000),
      measureMs: ms(14_000),
      slow: { index: 0, latency: { kind: 'lognormal', medianMs: 100, sigma: 0.25 }, fromMs: ms(3_000), toMs: ms(8_000) },
    },
    {
      name: 'heterogeneous',
      instances: 8,
      capacity: CAPACITY,
      clients: 8,
      ratePerSec: 900,
      warmupMs: ms(1_000),
      measureMs: ms(8_000),
      slow: { index: 7, latency: { kind: 'lognormal', medianMs: 30, sigma: 0.25 }, fromMs: 0, toMs: ms(8_000) },
    },
  ];
}

export function describeScenario(s: CapacityScenario): string {
  const base = `${s.instances} instances x ${s.capacity.workers} workers (queue ${s.capacity.queue}, 503 past it), service time lognormal median 10 ms; ${s.clients} client balancers, ${s.ratePerSec} req/s open loop in all`;
  if (!s.slow) return base;
  const l = s.slow.latency;
  const median = typeof l === 'object' && l !== null && 'medianMs' in l ? `${l.medianMs} ms` : String(l);
  return s.slow.fromMs === 0 && s.slow.toMs === s.measureMs
    ? `${base}; #${s.slow.index} always slower (median ${median})`
    : `${base}; #${s.slow.index} slower (median ${median}) from ${s.slow.fromMs / 1000} s to ${s.slow.toMs / 1000} s of ${s.measureMs / 1000} s`;
}
