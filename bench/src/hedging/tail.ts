/**
 * Hedging under a tail that is no instance's fault: every instance of a fleet with finite
 * capacity (testkit `capacity`: workers and a queue) answers 1% of requests, at random, after an extra 1 s. The same
 * open-loop load is run through undici with the balancer with and without `hedge`, interleaved
 * (off, on, on, off, ...) in one process against one fleet; the figures are medians over rounds.
 *
 * Two loads: light (30% of the fleet's capacity), where hedging should cut the p99.9 by 10x or
 * more for at most 3% extra attempts; and near capacity (85%), where the p50 should not get worse
 * by more than 5%. Then an overload step (`overload`, 110% of capacity): warmed up at 50%, the
 * load jumps past capacity, queues and latencies grow faster than the percentile delay (refreshed
 * every 3 s) follows, so far more than 2% of requests outlive it; there the hedge budget is what
 * stops the hedges, shown against the same hedging with `budget: false`.
 *
 * Each run starts a fresh balancer and sends a warm-up phase first (not measured): the percentile
 * delay needs 10 / maxExtraLoad answers in its window before any hedge is sent.
 *
 *   node bench/dist/hedging/tail.js [--quick]
 */
import { CircuitOpenError, createBalancer, type ServiceOptions } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { Agent } from 'undici';
import { openLoop } from '../faults/open-loop.js';
import { startRemoteFleet } from '../fleet/remote-fleet.js';
import { median, round, summarize } from '../stats.js';

export interface TailOptions {
  readonly instances: number;
  /** Workers per instance; service time uniform in [8, 12] ms, so capacity is workers / 10 ms each. */
  readonly workers: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly rounds: number;
  /** Offered load as shares of the fleet's capacity. */
  readonly loads: readonly number[];
  /** The overload step's load (share of capacity) after a warm-up at 50%; none: not run. */
  readonly overload?: number;
}

/** Requests that may wait for a worker on each instance. */
const QUEUE = 1_000;

export const FULL_TAIL: TailOptions = { instances: 4, workers: 2, warmupMs: 6_000, measureMs: 15_000, rounds: 3, loads: [0.3, 0.85], overload: 1.1 };
export const QUICK_TAIL: TailOptions = { instances: 4, workers: 2, warmupMs: 6_000, measureMs: 5_000, rounds: 1, loads: [0.3, 0.85], overload: 1.1 };

/** The hedging configuration measured: the defaults (`hedge: true`: p98 of recent latency, 2 attempts, a 3% budget). */
export const HEDGE: ServiceOptions['hedge'] = true;
/** The same without its budget: what the budget saves under overload. */
export const UNBOUNDED_HEDGE: ServiceOptions['hedge'] = { budget: false };

/** What a run sends: no hedging, the defaults, or the defaults without a budget. */
export type TailVariant = 'off' | 'on' | 'unbounded';

export interface TailRun {
  readonly variant: TailVariant;
  /** Hedging on (`on` or `unbounded`). */
  readonly hedge: boolean;
  readonly requests: number;
  readonly success: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** Attempts beyond one per request sent (a request refused by the limits sends none), as a share of requests: hedges and retries. */
  readonly extraAttempts: number;
  readonly hedges: number;
  /** Hedges due but not sent because the hedge budget was spent. */
  readonly hedgesRefused: number;
  /** Hedges due but not sent because of the circuit breakers (`limits.maxRetries`). */
  readonly hedgesRefusedByLimits: number;
  /** Requests failed at once with ERR_CIRCUIT_OPEN (nothing sent), as a share of requests. */
  readonly circuitOpen: number;
}

export interface TailRow {
  readonly load: number;
  readonly ratePerSec: number;
  /** The warm-up's rate when it differs from the measured one (the overload step). */
  readonly warmupRatePerSec?: number;
  readonly off: TailRun;
  readonly on: TailRun;
  /** The overload step only: hedging without its budget. */
  readonly unbounded?: TailRun;
  /** p99.9 without hedging / with (higher is better). */
  readonly p999Ratio: number;
  /** p50 with hedging / without (1.05 = 5% worse). */
  readonly p50Ratio: number;
}

const SERVICE_TIME_MS = 10;

const HEDGE_OF: Readonly<Record<TailVariant, ServiceOptions['hedge']>> = { off: false, on: HEDGE, unbounded: UNBOUNDED_HEDGE };

async function runOnce(urls: readonly string[], variant: TailVariant, rates: { warmup: number; measure: number }, o: TailOptions): Promise<TailRun> {
  const hedge = variant !== 'off';
  const balancer = createBalancer({
    services: { orders: { instances: [...urls], healthCheck: false, hedge: HEDGE_OF[variant] } },
  });
  let measuring = false;
  let attempts = 0;
  let hedges = 0;
  let hedgesRefused = 0;
  let hedgesRefusedByLimits = 0;
  let circuitOpen = 0;
  balancer.observe({
    attemptEnded: () => void (measuring && attempts++),
    hedged: () => void (measuring && hedges++),
    hedgeRefused: (e) => {
      if (measuring && e.reason === 'budget') hedgesRefused++;
      else if (measuring && e.reason === 'circuit-open') hedgesRefusedByLimits++;
    },
  });
  const dispatcher = withBalancer(new Agent({ connections: 64 }), balancer);
  const send = async (_i: number, signal: AbortSignal): Promise<boolean> => {
    try {
      const res = await dispatcher.request({ origin: 'http://orders', path: '/x', method: 'GET', signal });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    } catch (error) {
      if (measuring && error instanceof CircuitOpenError) circuitOpen++;
      return false;
    }
  };
  try {
    await openLoop({ ratePerSec: rates.warmup, durationMs: o.warmupMs, deadlineMs: 5_000, send });
    measuring = true;
    const result = await openLoop({ ratePerSec: rates.measure, durationMs: o.measureMs, deadlineMs: 5_000, send });
    measuring = false;
    const requests = result.latencyMs.length;
    let ok = 0;
    for (const v of result.ok) ok += v;
    const s = summarize(result.latencyMs);
    return { variant, hedge, requests, success: ok / requests, p50: s.p50, p99: s.p99, p999: s.p999, extraAttempts: (attempts - (requests - circuitOpen)) / requests, hedges, hedgesRefused, hedgesRefusedByLimits, circuitOpen: circuitOpen / requests };
  } finally {
    await dispatcher.close();
    await balancer.close();
  }
}

function medianRun(runs: readonly TailRun[]): TailRun {
  const m = (f: (r: TailRun) => number): number => round(median(runs.map(f)), 4);
  return {
    variant: runs[0]!.variant,
    hedge: runs[0]!.hedge,
    requests: m((r) => r.requests),
    success: m((r) => r.success),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    p999: m((r) => r.p999),
    extraAttempts: m((r) => r.extraAttempts),
    hedges: m((r) => r.hedges),
    hedgesRefused: m((r) => r.hedgesRefused),
    hedgesRefusedByLimits: m((r) => r.hedgesRefusedByLimits),
    circuitOpen: m((r) => r.circuitOpen),
  };
}

export async function runTail(o: TailOptions, log: (line: string) => void = () => {}): Promise<TailRow[]> {
  const behavior = { latencyMs: { kind: 'uniform' as const, minMs: 8, maxMs: 12 }, stallRate: 0.01, stallMs: 1_000 };
  // A queue deep enough never to fill at these loads (a stalled request holds no place in it).
  const fleet = await startRemoteFleet(Array.from({ length: o.instances }, () => behavior), 13, { workers: o.workers, queue: QUEUE });
  const capacity = (o.instances * o.workers * 1000) / SERVICE_TIME_MS;
  const rows: TailRow[] = [];
  const steps = [...o.loads.map((load) => ({ load, warmup: load, variants: ['off', 'on'] as TailVariant[] }))];
  if (o.overload !== undefined) steps.push({ load: o.overload, warmup: 0.5, variants: ['off', 'on', 'unbounded'] });
  try {
    for (const step of steps) {
      const rates = { warmup: Math.round(capacity * step.warmup), measure: Math.round(capacity * step.load) };
      const runs = new Map<TailVariant, TailRun[]>(step.variants.map((v) => [v, []]));
      for (let r = 0; r < o.rounds; r++) {
        // Interleaved: the variants in turn, reversed every other round, so none always runs first.
        const order = r % 2 === 0 ? step.variants : [...step.variants].reverse();
        for (const variant of order) {
          const run = await runOnce(fleet.urls, variant, rates, o);
          runs.get(variant)!.push(run);
          log(`  load ${step.load} ${variant}: p50 ${run.p50} p99 ${run.p99} p99.9 ${run.p999} ms, success ${run.success}, extra ${(run.extraAttempts * 100).toFixed(2)}%, hedges ${run.hedges}, refused ${run.hedgesRefused} (budget) ${run.hedgesRefusedByLimits} (limits), ERR_CIRCUIT_OPEN ${(run.circuitOpen * 100).toFixed(2)}%`);
        }
      }
      const offM = medianRun(runs.get('off')!);
      const onM = medianRun(runs.get('on')!);
      const unbounded = runs.get('unbounded');
      rows.push({
        load: step.load,
        ratePerSec: rates.measure,
        ...(rates.warmup !== rates.measure ? { warmupRatePerSec: rates.warmup } : {}),
        off: offM,
        on: onM,
        ...(unbounded ? { unbounded: medianRun(unbounded) } : {}),
        p999Ratio: round(offM.p999 / onM.p999, 1),
        p50Ratio: round(onM.p50 / offM.p50, 3),
      });
    }
  } finally {
    await fleet.close();
  }
  return rows;
}

export function tailMarkdown(rows: readonly TailRow[], o: TailOptions): string {
  const lines = [
    `Fleet: ${o.instances} instances x ${o.workers} workers, service 8-12 ms, 1% of requests stalled 1 s at random on every instance; open loop, ${o.measureMs / 1000} s measured after ${o.warmupMs / 1000} s warm-up (the overload step: warm-up at 50% of capacity), median of ${o.rounds} interleaved rounds. Hedge on: \`${JSON.stringify(HEDGE)}\`; unbounded: \`${JSON.stringify(UNBOUNDED_HEDGE)}\`.`,
    '',
    '| load | rate/s | hedge | success | p50 ms | p99 ms | p99.9 ms | extra attempts | hedges refused: budget / limits | ERR_CIRCUIT_OPEN |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const rate = r.warmupRatePerSec === undefined ? `${r.ratePerSec}` : `${r.warmupRatePerSec} -> ${r.ratePerSec}`;
    for (const run of [r.off, r.on, ...(r.unbounded ? [r.unbounded] : [])]) {
      lines.push(`| ${Math.round(r.load * 100)}% | ${rate} | ${run.variant} | ${(run.success * 100).toFixed(2)}% | ${run.p50} | ${run.p99} | ${run.p999} | ${(run.extraAttempts * 100).toFixed(2)}% | ${run.hedgesRefused} / ${run.hedgesRefusedByLimits} | ${(run.circuitOpen * 100).toFixed(2)}% |`);
    }
    lines.push(`| ${Math.round(r.load * 100)}% | | ratio | | on/off ${r.p50Ratio} | | off/on ${r.p999Ratio}x | | | |`);
  }
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const o = process.argv.includes('--quick') ? QUICK_TAIL : FULL_TAIL;
  const rows = await runTail(o, (line) => console.log(line));
  console.log(tailMarkdown(rows, o));
}
