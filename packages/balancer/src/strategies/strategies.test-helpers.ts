/** Shared test fixtures for the strategy tests: plain endpoints and a tiny traffic simulation. */
import type { Picker, Strategy, StrategyEndpoint } from './strategy.js';

export interface TestEndpoint extends StrategyEndpoint {
  inFlight: number;
}

/** Plain endpoints `{ id, weight, inFlight: 0, slot: undefined }`; ids default to a, b, c... */
export function endpoints(weights: readonly number[], ids?: readonly string[]): TestEndpoint[] {
  return weights.map((weight, i) => ({ id: ids?.[i] ?? String.fromCharCode(97 + i), weight, inFlight: 0, slot: undefined }));
}

/** `count` picks without a hash key at time `now`, returning the ids in order. */
export function sequence(picker: Picker<TestEndpoint>, count: number, hashKey?: string, now = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(picker.pick({ hashKey, now }).id);
  return out;
}

/** Share of picks per id over `count` picks, keys from `key(i)` (or none). */
export function shares(
  picker: Picker<TestEndpoint>,
  count: number,
  key?: (i: number) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = picker.pick({ hashKey: key?.(i), now: 0 }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, c] of counts) counts.set(id, c / count);
  return counts;
}

export interface SimulationOptions {
  readonly strategy: Strategy;
  readonly endpoints: TestEndpoint[];
  readonly random: () => number;
  /** Latency of a request to `endpoint`, in ms. */
  readonly latencyMs: (endpoint: TestEndpoint) => number;
  /** Whether a request to `endpoint` fails. Defaults to never. */
  readonly failed?: (endpoint: TestEndpoint) => boolean;
  /** A request arrives every `intervalMs`. */
  readonly intervalMs: number;
  readonly requests: number;
  /** Hash key of request `r`. Defaults to none. */
  readonly hashKey?: (r: number) => string;
  /** Clock at the first arrival. Defaults to 0. */
  readonly startMs?: number;
}

export interface SimulationResult {
  /** Picks per endpoint id. */
  readonly picks: Map<string, number>;
  /** Clock after the last arrival (completions still pending are dropped). */
  readonly endMs: number;
}

/**
 * Discrete-event simulation on a fake clock: requests arrive every `intervalMs`; each is picked,
 * increments the endpoint's `inFlight`, and completes `latencyMs(endpoint)` later, when
 * `inFlight` is decremented and `observe` is called. Latency per endpoint is fixed, so each
 * endpoint's completions are FIFO and the next event is the earliest queue head.
 */
export function simulate(options: SimulationOptions): SimulationResult {
  const { strategy, endpoints: eps } = options;
  const picker = strategy.build(eps, { now: 0, random: options.random });
  const queues = eps.map(() => ({ times: [] as number[], head: 0 }));
  const picks = new Map<string, number>(eps.map((e) => [e.id, 0]));
  const start = options.startMs ?? 0;
  const completeUntil = (t: number): void => {
    for (;;) {
      let best = -1;
      let bestTime = Infinity;
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i]!;
        if (q.head < q.times.length && q.times[q.head]! < bestTime) {
          bestTime = q.times[q.head]!;
          best = i;
        }
      }
      if (best < 0 || bestTime > t) return;
      queues[best]!.head++;
      const e = eps[best]!;
      e.inFlight--;
      strategy.observe?.(e, { latencyMs: options.latencyMs(e), failed: options.failed?.(e) ?? false, now: bestTime });
    }
  };
  let now = start;
  for (let r = 0; r < options.requests; r++) {
    now = start + r * options.intervalMs;
    completeUntil(now);
    const e = picker.pick({ hashKey: options.hashKey?.(r), now });
    const i = eps.indexOf(e);
    e.inFlight++;
    picks.set(e.id, picks.get(e.id)! + 1);
    queues[i]!.times.push(now + options.latencyMs(e));
  }
  for (const e of eps) e.inFlight = 0;
  return { picks, endMs: now };
}

/** Divides each count by the total. */
export function toShares(picks: Map<string, number>): Map<string, number> {
  let total = 0;
  for (const c of picks.values()) total += c;
  return new Map([...picks].map(([id, c]) => [id, c / total]));
}

/** A random source that always returns `value` (for golden sequences from a fixed start). */
export function constant(value: number): () => number {
  return () => value;
}
