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
import { FLEET_TEXT, FULL_TIMELINE, runFaultContender, type FaultRow } from './faults/faults.js';
import { round } from './stats.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const VARIANTS = [
  { label: 'attempt deadline off (perAttemptTimeoutMs: false)', options: { retry: { perAttemptTimeoutMs: false as const } }, text: 'retry: { perAttemptTimeoutMs: false }' },
  { label: 'default: learned attempt deadline (no perAttemptTimeoutMs)', options: { retry: {} }, text: 'retry: {}' },
];

interface Totals {
  requests: number;
  failures: number;
  p99: number[];
  hangShare: number[];
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const strategy = arg('strategy', 'peak-ewma') as StrategyName;
  const totals = VARIANTS.map((): Totals => ({ requests: 0, failures: 0, p99: [], hangShare: [] }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, variant] of VARIANTS.entries()) {
      const row: FaultRow = await runFaultContender(ours(strategy, variant), FULL_TIMELINE);
      if (row.status !== 'ok') throw new Error(`${variant.label}: ${row.missing}`);
      const t = totals[i]!;
      t.requests += row.fault!.count;
      t.failures += row.fault!.failures;
      t.p99.push(row.fault!.p99);
      t.hangShare.push(row.bad!.hang.sharePct);
      console.log(`round ${r + 1}, ${variant.label}: ${row.fault!.failures} failed of ${row.fault!.count}, p99 ${row.fault!.p99} ms, p99.9 ${row.fault!.p999} ms`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('');
  console.log(`Fleet: ${FLEET_TEXT}. ${FULL_TIMELINE.ratePerSec} requests/s, callers' deadline ${FULL_TIMELINE.deadlineMs} ms, ${rounds} interleaved rounds of a ${FULL_TIMELINE.faultMs / 1000} s fault phase.`);
  console.log(`Balancer: ${CONFIG_TEXT.replace(/retry: \{[^}]*\}/, 'retry: <as below>')}, strategy ${strategy}.`);
  console.log('');
  console.log('| attempt deadline | requests (fault phases) | failed | success | median p99 ms | median share of attempts to the hung instance |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [i, variant] of VARIANTS.entries()) {
    const t = totals[i]!;
    const success = round((100 * (t.requests - t.failures)) / t.requests, 3);
    console.log(`| ${variant.label} | ${t.requests} | ${t.failures} | ${success}% | ${median(t.p99)} | ${median(t.hangShare)}% |`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
