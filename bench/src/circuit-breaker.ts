/**
 * Circuit breakers under a slowdown: 4 testkit instances (in process) answering in ~10 ms take
 * steady open-loop arrivals through undici and the balancer with `limits`; for a while the
 * whole fleet answers 20x slower, then fast again, and that cycle repeats. Without limits,
 * requests pile up in the client (arrivals x latency); with them, the attempts in flight stay at
 * or below the limit, the requests over it fail at once with `ERR_CIRCUIT_OPEN`, and success
 * returns once the fleet is fast. Sampled every 5 ms: the balancer's attempts in flight (its
 * snapshot); per rejected call: the time from the call to its rejection; at the end of each
 * cycle (fast again, after a GC when `--expose-gc` is given): the heap, which must not grow from
 * cycle to cycle.
 *
 *   node --expose-gc bench/dist/circuit-breaker.js [--rate 400] [--limit 20] [--seconds 2,4,4] [--cycles 5]
 */
import { BalancerError, createBalancer } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { startFleet, type LatencySpec } from '@datapunk/testkit';
import { Agent } from 'undici';
import { openLoop, type OpenLoopResult } from './faults/open-loop.js';
import { round } from './stats.js';

const FAST: LatencySpec = { kind: 'lognormal', medianMs: 10, sigma: 0.25 };
const SLOW: LatencySpec = { kind: 'lognormal', medianMs: 200, sigma: 0.25 };
const BIN_MS = 100;

export interface CircuitBreakerOptions {
  /** Arrivals per second. */
  readonly ratePerSec: number;
  /** `maxRequests` and `maxPendingRequests`. */
  readonly limit: number;
  /** Each cycle: fast, then slow, then fast again, ms. */
  readonly fastMs: number;
  readonly slowMs: number;
  readonly recoverMs: number;
  /** Slow/fast cycles run one after the other against one balancer (>= 1). */
  readonly cycles: number;
}

export const FULL_CIRCUIT_BREAKER: CircuitBreakerOptions = { ratePerSec: 400, limit: 20, fastMs: 2_000, slowMs: 4_000, recoverMs: 4_000, cycles: 5 };

export interface PhaseFigures {
  readonly requests: number;
  /** Share of requests that succeeded, 0..1. */
  readonly success: number;
}

export interface CircuitBreakerResult {
  readonly options: CircuitBreakerOptions;
  /** Most attempts in flight at once, sampled every 5 ms. */
  readonly maxInFlight: number;
  /** Over all cycles, by phase. */
  readonly fast: PhaseFigures;
  readonly slow: PhaseFigures;
  readonly recovered: PhaseFigures;
  /** Failures by error code. */
  readonly failures: Readonly<Record<string, number>>;
  /** Time from the call to its `ERR_CIRCUIT_OPEN` rejection, ms. */
  readonly rejection: { readonly count: number; readonly p50: number; readonly p99: number; readonly max: number };
  /** Per cycle: seconds from the fleet being fast again until every 100 ms bin is 100% success; null: never. */
  readonly recoverySec: readonly (number | null)[];
  /** Heap used at the start and at the end of each cycle, MB (after a GC when it is exposed). */
  readonly heapMB: readonly number[];
  /** Whether `global.gc` was available, so that the heap figures are after a collection. */
  readonly heapAfterGc: boolean;
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    if (e instanceof BalancerError) return e.code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function heapMB(): number {
  globalThis.gc?.();
  return round(process.memoryUsage().heapUsed / 1e6, 1);
}

export async function runCircuitBreaker(o: CircuitBreakerOptions): Promise<CircuitBreakerResult> {
  const cycleMs = o.fastMs + o.slowMs + o.recoverMs;
  const fleet = await startFleet({ count: 4, behavior: { latencyMs: FAST } });
  const balancer = createBalancer({
    services: { orders: { instances: [...fleet.urls], limits: { maxRequests: o.limit, maxPendingRequests: o.limit }, retry: { perAttemptTimeoutMs: 5_000 } } },
  });
  const dispatcher = withBalancer(new Agent(), balancer);
  const inFlight = () => balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.inFlight, 0);
  const rejectMs: number[] = [];
  const failures: Record<string, number> = {};
  let maxInFlight = 0;
  const sampler = setInterval(() => (maxInFlight = Math.max(maxInFlight, inFlight())), 5);
  const heap = [heapMB()];
  const setLatency = (latencyMs: LatencySpec) => () => fleet.servers.forEach((s) => s.setBehavior({ latencyMs }));
  const script = Array.from({ length: o.cycles }, (_, c) => [
    { atMs: c * cycleMs + o.fastMs, run: setLatency(SLOW) },
    { atMs: c * cycleMs + o.fastMs + o.slowMs, run: setLatency(FAST) },
    // The end of the cycle (the last one's is taken after the run).
    ...(c < o.cycles - 1 ? [{ atMs: (c + 1) * cycleMs - 1, run: () => heap.push(heapMB()) }] : []),
  ]).flat();
  let result: OpenLoopResult;
  try {
    result = await openLoop({
      ratePerSec: o.ratePerSec,
      durationMs: o.cycles * cycleMs,
      deadlineMs: 2_000,
      script,
      send: async (i, signal) => {
        const started = performance.now();
        try {
          const res = await dispatcher.request({ origin: 'http://orders', path: `/x/${i}`, method: 'GET', signal });
          await res.body.text();
          return res.statusCode === 200;
        } catch (error) {
          const code = codeOf(error) ?? (error as { code?: string }).code ?? (error as Error).name;
          failures[code] = (failures[code] ?? 0) + 1;
          if (code === 'ERR_CIRCUIT_OPEN') rejectMs.push(performance.now() - started);
          return false;
        }
      },
    });
    heap.push(heapMB());
  } finally {
    clearInterval(sampler);
    await dispatcher.close();
    await balancer.close();
    await fleet.close({ graceMs: 0 });
  }
  return { options: o, maxInFlight, ...phases(result, o), failures, rejection: quantiles(rejectMs), recoverySec: recoveries(result, o), heapMB: heap, heapAfterGc: typeof globalThis.gc === 'function' };
}

function phases(result: OpenLoopResult, o: CircuitBreakerOptions): Pick<CircuitBreakerResult, 'fast' | 'slow' | 'recovered'> {
  const cycleMs = o.fastMs + o.slowMs + o.recoverMs;
  const counts = { fast: [0, 0], slow: [0, 0], recovered: [0, 0] };
  for (let i = 0; i < result.scheduledMs.length; i++) {
    const t = result.scheduledMs[i]! % cycleMs;
    const c = t < o.fastMs ? counts.fast : t < o.fastMs + o.slowMs ? counts.slow : counts.recovered;
    c[0]!++;
    c[1]! += result.ok[i]!;
  }
  const figures = ([n, ok]: number[]): PhaseFigures => ({ requests: n!, success: n === 0 ? NaN : ok! / n! });
  return { fast: figures(counts.fast), slow: figures(counts.slow), recovered: figures(counts.recovered) };
}

/** Per cycle: the first 100 ms bin after the fleet is fast again from which every bin of the cycle is 100% success. */
function recoveries(result: OpenLoopResult, o: CircuitBreakerOptions): (number | null)[] {
  const cycleMs = o.fastMs + o.slowMs + o.recoverMs;
  const bins = new Map<number, { n: number; ok: number }>();
  for (let i = 0; i < result.scheduledMs.length; i++) {
    const bin = Math.floor(result.scheduledMs[i]! / BIN_MS);
    const b = bins.get(bin) ?? { n: 0, ok: 0 };
    b.n++;
    b.ok += result.ok[i]!;
    bins.set(bin, b);
  }
  return Array.from({ length: o.cycles }, (_, c) => {
    const fastAt = c * cycleMs + o.fastMs + o.slowMs;
    const last = Math.ceil(((c + 1) * cycleMs) / BIN_MS) - 1;
    let recovered = last + 1;
    for (let bin = last; bin >= Math.floor(fastAt / BIN_MS); bin--) {
      const b = bins.get(bin);
      if (b && b.ok < b.n) break;
      recovered = bin;
    }
    return recovered > last ? null : round((recovered * BIN_MS - fastAt) / 1000, 1);
  });
}

function quantiles(ms: number[]): CircuitBreakerResult['rejection'] {
  ms.sort((a, b) => a - b);
  const q = (p: number) => round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? NaN, 3);
  return { count: ms.length, p50: q(0.5), p99: q(0.99), max: round(ms.at(-1) ?? NaN, 3) };
}

export function circuitBreakerMarkdown(r: CircuitBreakerResult): string {
  const o = r.options;
  const pct = (p: PhaseFigures) => `${round(100 * p.success, 2)}% of ${p.requests}`;
  return [
    `4 instances, ${o.ratePerSec} req/s open loop, limits { maxRequests: ${o.limit}, maxPendingRequests: ${o.limit} }; ${o.cycles} cycles of: fast (median 10 ms) ${o.fastMs / 1000} s, 20x slower (median 200 ms) ${o.slowMs / 1000} s, fast ${o.recoverMs / 1000} s; callers' deadline 2 s`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| most attempts in flight at once (sampled every 5 ms) | ${r.maxInFlight} (limit ${o.limit}; without limits about ${Math.round(o.ratePerSec * 0.2)} at 200 ms) |`,
    `| success over all cycles: fast / slow / fast again | ${pct(r.fast)} / ${pct(r.slow)} / ${pct(r.recovered)} |`,
    `| failures by code | ${Object.entries(r.failures).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'} |`,
    `| ERR_CIRCUIT_OPEN: time to rejection, median / p99 / max ms | ${r.rejection.p50} / ${r.rejection.p99} / ${r.rejection.max} |`,
    `| back to 100% success after the fleet is fast again, per cycle | ${r.recoverySec.map((s) => (s === null ? 'never' : `${s} s`)).join(', ')} |`,
    `| heap used at the start, then at the end of each cycle${r.heapAfterGc ? ' (after GC)' : ' (no --expose-gc: before GC)'} | ${r.heapMB.map((m) => `${m} MB`).join(', ')} |`,
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const d = FULL_CIRCUIT_BREAKER;
  const [fastS, slowS, recoverS] = (arg('seconds') ?? `${d.fastMs / 1000},${d.slowMs / 1000},${d.recoverMs / 1000}`).split(',').map(Number) as [number, number, number];
  const o: CircuitBreakerOptions = { ratePerSec: Number(arg('rate') ?? d.ratePerSec), limit: Number(arg('limit') ?? d.limit), fastMs: fastS * 1000, slowMs: slowS * 1000, recoverMs: recoverS * 1000, cycles: Number(arg('cycles') ?? d.cycles) };
  console.log(circuitBreakerMarkdown(await runCircuitBreaker(o)));
}
