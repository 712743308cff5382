/**
 * The default attempt deadline under the fault scenario of part 3: the same fleet, timeline and
 * callers' 2 s deadline, our balancer with the benchmark's configuration but *no*
 * `retry.perAttemptTimeoutMs` (so the deadline is the one learned from the service's latency),
 * against the same with the attempt deadline turned off (`perAttemptTimeoutMs: false`, what the
 * defaults were before). Rounds are interleaved (off, learned, off, learned...) and each uses a
 * fresh fleet; the figures are summed over rounds, so that the success rate is over more than
 * 10,000 requests.
 *
 *   node bench/dist/default-deadline.js [--rounds 3] [--strategy peak-ewma]
 */
import type { StrategyName } from '@datapunk/balancer';
import { CONFIG_TEXT } from './config.js';
import { ours } from './faults/contenders.js';
import { FLEET_TEXT, FULL_TIMELINE, runFaultContender, type FaultTimeline } from './faults/faults.js';
import { median, round } from './stats.js';

const VARIANTS = [
  { label: 'attempt deadline off (perAttemptTimeoutMs: false)', options: { retry: { perAttemptTimeoutMs: false as const } }, text: 'retry: { perAttemptTimeoutMs: false }' },
  { label: 'default: learned attempt deadline (no perAttemptTimeoutMs)', options: { retry: {} }, text: 'retry: {}' },
];

export interface DefaultDeadlineOptions {
  readonly rounds: number;
  readonly strategy: StrategyName;
  readonly timeline: FaultTimeline;
}

/** One variant's figures, summed (requests, failures) or the median (p99, hang share) over rounds. */
export interface DefaultDeadlineRow {
  readonly label: string;
  /** Requests sent during the fault phases. */
  readonly requests: number;
  readonly failures: number;
  /** Share of those that succeeded, 0..1. */
  readonly success: number;
  readonly medianP99: number;
  /** Median share of attempts that went to the instance that never answers, percent. */
  readonly medianHangSharePct: number;
}

export async function runDefaultDeadline(o: DefaultDeadlineOptions, log: (line: string) => void = () => {}): Promise<DefaultDeadlineRow[]> {
  const totals = VARIANTS.map(() => ({ requests: 0, failures: 0, p99: [] as number[], hangShare: [] as number[] }));
  for (let r = 0; r < o.rounds; r++) {
    for (const [i, variant] of VARIANTS.entries()) {
      const row = await runFaultContender(ours(o.strategy, variant), o.timeline);
      if (row.status !== 'ok') throw new Error(`${variant.label}: ${row.missing}`);
      const t = totals[i]!;
      t.requests += row.fault!.count;
      t.failures += row.fault!.failures;
      t.p99.push(row.fault!.p99);
      t.hangShare.push(row.bad!.hang.sharePct);
      log(`round ${r + 1}, ${variant.label}: ${row.fault!.failures} failed of ${row.fault!.count}, p99 ${row.fault!.p99} ms, p99.9 ${row.fault!.p999} ms`);
    }
  }
  return VARIANTS.map((variant, i) => {
    const t = totals[i]!;
    return { label: variant.label, requests: t.requests, failures: t.failures, success: (t.requests - t.failures) / t.requests, medianP99: median(t.p99), medianHangSharePct: median(t.hangShare) };
  });
}

export function defaultDeadlineMarkdown(rows: readonly DefaultDeadlineRow[], o: DefaultDeadlineOptions): string {
  const t = o.timeline;
  return [
    `Fleet: ${FLEET_TEXT}. ${t.ratePerSec} requests/s, callers' deadline ${t.deadlineMs} ms, ${o.rounds} interleaved rounds of a ${t.faultMs / 1000} s fault phase.`,
    `Balancer: ${CONFIG_TEXT.replace(/retry: \{[^}]*\}/, 'retry: <as below>')}, strategy ${o.strategy}.`,
    '',
    '| attempt deadline | requests (fault phases) | failed | success | median p99 ms | median share of attempts to the hung instance |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.requests} | ${r.failures} | ${round(100 * r.success, 3)}% | ${r.medianP99} | ${r.medianHangSharePct}% |`),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const o: DefaultDeadlineOptions = { rounds: Number(arg('rounds', '3')), strategy: arg('strategy', 'peak-ewma') as StrategyName, timeline: FULL_TIMELINE };
  const rows = await runDefaultDeadline(o, (line) => console.log(line));
  console.log('');
  console.log(defaultDeadlineMarkdown(rows, o));
}
