/**
 * Server-reported load (issue 12.3): does `weighted-least-load` give each instance the share
 * gRFC A58's weights say? A fleet of testkit instances with finite capacity (in their own
 * process) where every instance reports the same qps (`rps_fractional`) and instance #0 reports
 * 90% CPU utilization, the others 30%, in every response's `endpoint-load-metrics` header.
 * Several independent client balancers (one undici Agent each) send open-loop traffic.
 *
 * A58: weight = qps / utilization, so #0 weighs 1/0.9 against 1/0.3: a share of 1/9.33 (10%
 * with four instances) against 30% each. Measured per round: each instance's share of the
 * attempts after the blackout (and its relative error against the A58 share), the worst 1 s
 * share of #0, the time from the end of the blackout until #0's 1 s share is within 10% of its
 * A58 share, and #0's share during the blackout (the peak-ewma fallback: about even).
 *
 *   node bench/dist/load-reports/convergence.js [--quick]
 */
import { weightedLeastLoad } from '@datapunk/balancer/strategies';
import type { LoadReportValues } from '@datapunk/testkit';
import { oursFleet } from '../capacity/contenders.js';
import { BASE_LATENCY } from '../capacity/scenarios.js';
import { openLoop } from '../faults/open-loop.js';
import { TrafficLog } from '../faults/traffic.js';
import { startRemoteFleet } from '../fleet/remote-fleet.js';
import { median, round, summarize } from '../stats.js';

export interface ConvergenceOptions {
  readonly instances: number;
  /** Utilization #0 reports, and every other instance. */
  readonly hot: number;
  readonly others: number;
  /** qps every instance reports. */
  readonly rps: number;
  readonly clients: number;
  readonly ratePerSec: number;
  /** The strategy's blackout (its default is 10 s); the measured phase starts when it ends, plus `settleMs`. */
  readonly blackoutPeriodMs: number;
  readonly settleMs: number;
  readonly measureMs: number;
  readonly rounds: number;
}

export const FULL_CONVERGENCE: ConvergenceOptions = { instances: 4, hot: 0.9, others: 0.3, rps: 100, clients: 4, ratePerSec: 200, blackoutPeriodMs: 10_000, settleMs: 1_000, measureMs: 20_000, rounds: 3 };
export const QUICK_CONVERGENCE: ConvergenceOptions = { ...FULL_CONVERGENCE, measureMs: 8_000, rounds: 1 };

const BIN_MS = 100;
const WINDOW_BINS = 10;
const WITHIN = 0.1;

export interface ConvergenceRound {
  /** Share of each instance over the measured phase. */
  readonly shares: readonly number[];
  /** |measured - A58| / A58 per instance. */
  readonly errors: readonly number[];
  /** #0's smallest and largest 1 s share in the measured phase. */
  readonly hotLeast: number;
  readonly hotWorst: number;
  /** #0's share during the blackout (fallback picks). */
  readonly hotDuringBlackout: number;
  /** ms from the blackout's end until #0's 1 s share is within 10% of A58; null: not within the run. */
  readonly convergedAfterMs: number | null;
  readonly successPct: number;
  readonly p99: number;
}

export interface ConvergenceResult {
  readonly options: ConvergenceOptions;
  /** A58 shares from the reports. */
  readonly expected: readonly number[];
  readonly rounds: readonly ConvergenceRound[];
  /** Medians over rounds. */
  readonly shares: readonly number[];
  readonly worstError: number;
  readonly convergedAfterMs: number | null;
  readonly met: boolean;
}

/** The A58 share of each instance from the reports. */
export function expectedShares(o: ConvergenceOptions): number[] {
  const weights = Array.from({ length: o.instances }, (_, i) => o.rps / (i === 0 ? o.hot : o.others));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

function reportOf(o: ConvergenceOptions, i: number): LoadReportValues {
  return { cpuUtilization: i === 0 ? o.hot : o.others, rpsFractional: o.rps };
}

async function runRound(o: ConvergenceOptions, expected: readonly number[]): Promise<ConvergenceRound> {
  const fleet = await startRemoteFleet(Array.from({ length: o.instances }, () => ({ latencyMs: BASE_LATENCY })), 17, { workers: 2, queue: 64 });
  const traffic = new TrafficLog(fleet.urls);
  try {
    for (let i = 0; i < o.instances; i++) await fleet.setLoadReport(i, reportOf(o, i));
    const contender = oursFleet('weighted-least-load', 'weighted-least-load', () => ({ strategy: weightedLeastLoad({ blackoutPeriodMs: o.blackoutPeriodMs }) }));
    const clients = await contender.start(fleet.urls, traffic, o.clients);
    if ('missing' in clients) throw new Error(clients.missing);
    const from = o.blackoutPeriodMs + o.settleMs;
    const end = from + o.measureMs;
    let result;
    try {
      result = await openLoop({
        ratePerSec: o.ratePerSec,
        durationMs: end,
        deadlineMs: 2_000,
        send: (i, signal) => clients[i % clients.length]!.send(i, signal),
        onStart: (at) => traffic.setOrigin(at),
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const sum = (series: Float64Array, a = 0, b = series.length): number => series.subarray(a, b).reduce((x, y) => x + y, 0);
    const measured = traffic.bins(from, end, BIN_MS);
    const all = measured.reduce((n, s) => n + sum(s), 0);
    const shares = measured.map((s) => (all > 0 ? sum(s) / all : 0));
    const windows: number[] = [];
    for (let b = 0; b + WINDOW_BINS <= measured[0]!.length; b += WINDOW_BINS) {
      const total = measured.reduce((n, s) => n + sum(s, b, b + WINDOW_BINS), 0);
      if (total > 0) windows.push(sum(measured[0]!, b, b + WINDOW_BINS) / total);
    }
    // From the blackout's end: the first 1 s window (sliding by one bin) with #0 within 10% of A58.
    const after = traffic.bins(o.blackoutPeriodMs, end, BIN_MS);
    let convergedAfterMs: number | null = null;
    for (let b = 0; b + WINDOW_BINS <= after[0]!.length && convergedAfterMs === null; b++) {
      const total = after.reduce((n, s) => n + sum(s, b, b + WINDOW_BINS), 0);
      if (total > 0 && Math.abs(sum(after[0]!, b, b + WINDOW_BINS) / total - expected[0]!) <= WITHIN * expected[0]!) convergedAfterMs = b * BIN_MS;
    }
    const blackout = traffic.bins(0, o.blackoutPeriodMs, BIN_MS);
    const blackoutAll = blackout.reduce((n, s) => n + sum(s), 0);
    const latencies: number[] = [];
    let failures = 0;
    for (let i = 0; i < result.scheduledMs.length; i++) {
      if (result.scheduledMs[i]! < from) continue;
      latencies.push(result.latencyMs[i]!);
      if (!result.ok[i]) failures++;
    }
    const summary = summarize(Float64Array.from(latencies));
    return {
      shares: shares.map((s) => round(s, 4)),
      errors: shares.map((s, i) => round(Math.abs(s - expected[i]!) / expected[i]!, 4)),
      hotLeast: round(Math.min(...windows), 4),
      hotWorst: round(Math.max(...windows), 4),
      hotDuringBlackout: round(blackoutAll > 0 ? sum(blackout[0]!) / blackoutAll : 0, 4),
      convergedAfterMs,
      successPct: summary.count ? round((100 * (summary.count - failures)) / summary.count, 3) : NaN,
      p99: summary.p99,
    };
  } finally {
    await fleet.close();
  }
}

export async function runConvergence(o: ConvergenceOptions, log: (line: string) => void = () => {}): Promise<ConvergenceResult> {
  const expected = expectedShares(o);
  const rounds: ConvergenceRound[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const round1 = await runRound(o, expected);
    rounds.push(round1);
    log(
      `  round ${r + 1}: shares ${round1.shares.map((s) => `${(s * 100).toFixed(1)}%`).join(' / ')} (A58 ${expected.map((s) => `${(s * 100).toFixed(1)}%`).join(' / ')}), ` +
        `worst error ${(Math.max(...round1.errors) * 100).toFixed(1)}%, #0 1 s share ${(round1.hotLeast * 100).toFixed(1)}..${(round1.hotWorst * 100).toFixed(1)}%, ` +
        `during blackout ${(round1.hotDuringBlackout * 100).toFixed(1)}%, within 10% after ${round1.convergedAfterMs ?? 'never'} ms, success ${round1.successPct}%, p99 ${round1.p99} ms`,
    );
  }
  const shares = expected.map((_, i) => round(median(rounds.map((r) => r.shares[i]!)), 4));
  const worstError = round(Math.max(...shares.map((s, i) => Math.abs(s - expected[i]!) / expected[i]!)), 4);
  const times = rounds.map((r) => r.convergedAfterMs ?? Infinity).sort((a, b) => a - b);
  const convergedAfterMs = Number.isFinite(median(times)) ? median(times) : null;
  return { options: o, expected: expected.map((s) => round(s, 4)), rounds, shares, worstError, convergedAfterMs, met: worstError <= WITHIN };
}

export function convergenceMarkdown(r: ConvergenceResult): string {
  const o = r.options;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `Fleet: ${o.instances} testkit instances x 2 workers (queue 64), service time lognormal median 10 ms; every instance reports rps_fractional=${o.rps}, #0 cpu_utilization=${o.hot}, the others ${o.others}. ${o.clients} client balancers (\`weightedLeastLoad({ blackoutPeriodMs: ${o.blackoutPeriodMs} })\`, undici), ${o.ratePerSec} req/s open loop; ${o.measureMs / 1000} s measured from ${(o.blackoutPeriodMs + o.settleMs) / 1000} s; median of ${o.rounds} round(s).`,
    '',
    '| instance | reported utilization | A58 share | measured share | relative error |',
    '| --- | --- | --- | --- | --- |',
    ...r.shares.map((s, i) => `| #${i} | ${i === 0 ? o.hot : o.others} | ${pct(r.expected[i]!)} | ${pct(s)} | ${pct(Math.abs(s - r.expected[i]!) / r.expected[i]!)} |`),
    '',
    `Worst relative error ${pct(r.worstError)} (goal <= 10%: ${r.met ? 'met' : '**not met**'}); #0's 1 s share ${r.rounds.map((x) => `${pct(x.hotLeast)}..${pct(x.hotWorst)}`).join(', ')}; ` +
      `within 10% of its A58 share ${r.convergedAfterMs ?? 'never'} ms after the blackout ended; during the blackout (peak-ewma) #0 got ${r.rounds.map((x) => pct(x.hotDuringBlackout)).join(', ')}; ` +
      `success ${r.rounds.map((x) => `${x.successPct}%`).join(', ')}, p99 ${r.rounds.map((x) => `${x.p99} ms`).join(', ')}.`,
  ];
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const o = process.argv.includes('--quick') ? QUICK_CONVERGENCE : FULL_CONVERGENCE;
  const result = await runConvergence(o, (line) => console.log(line));
  console.log(convergenceMarkdown(result));
}
