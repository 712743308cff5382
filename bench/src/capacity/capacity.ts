/**
 * Part 4, fleets with capacity (issue 12). For each scenario and contender: a fresh fleet of
 * testkit instances with workers and a queue (in their own process), several independent
 * clients, open-loop arrivals dealt to the clients in turn. Reported: callers' success and
 * latency, the largest and smallest 1 s share of a healthy instance relative to fair, how long
 * a slowed instance took after its fault ended to be back at half its fair share, and the
 * instances' queues. Contenders run one after the other within a round; rounds repeat the order
 * reversed, and figures are medians over rounds.
 */
import { startRemoteFleet } from '../fleet/remote-fleet.js';
import { openLoop } from '../faults/open-loop.js';
import { TrafficLog } from '../faults/traffic.js';
import { median, round, summarize } from '../stats.js';
import type { FleetContender } from './contenders.js';
import { BASE_LATENCY, describeScenario, type CapacityScenario } from './scenarios.js';
import { binsUntilShare, windowShares } from './shares.js';

const BIN_MS = 100;
const WINDOW_BINS = 10;
const DEADLINE_MS = 2_000;

export interface CapacityRow {
  readonly scenario: CapacityScenario['name'];
  readonly contender: string;
  readonly status: 'ok' | 'missing' | 'error';
  readonly missing?: string;
  readonly rounds?: number;
  readonly successPct?: number;
  readonly p50?: number;
  readonly p99?: number;
  /** Largest / smallest 1 s share of a healthy instance, relative to fair (healthy instances only). */
  readonly worstShare?: number;
  readonly leastShare?: number;
  /** Recovery scenario: ms from the fault's end until the instance is back at half its fair share (null: not within the run). */
  readonly recoveredAfterMs?: number | null;
  /** Most requests waiting at once at any instance; largest time-weighted mean queue of an instance; requests refused (queue full). */
  readonly maxQueued?: number;
  readonly meanQueued?: number;
  readonly refused?: number;
}

interface RoundFigures {
  readonly successPct: number;
  readonly p50: number;
  readonly p99: number;
  readonly worstShare: number;
  readonly leastShare: number;
  readonly recoveredAfterMs: number | null;
  readonly maxQueued: number;
  readonly meanQueued: number;
  readonly refused: number;
}

async function runOnce(scenario: CapacityScenario, contender: FleetContender): Promise<RoundFigures | { missing: string }> {
  const fleet = await startRemoteFleet(
    Array.from({ length: scenario.instances }, () => ({ latencyMs: BASE_LATENCY })),
    7,
    scenario.capacity,
  );
  const traffic = new TrafficLog(fleet.urls);
  try {
    const clients = await contender.start(fleet.urls, traffic, scenario.clients);
    if ('missing' in clients) return clients;
    const { warmupMs, measureMs, slow } = scenario;
    const end = warmupMs + measureMs;
    let queues: Awaited<ReturnType<typeof fleet.queues>> = [];
    const script = [
      { atMs: warmupMs, run: () => fleet.queues(true) },
      { atMs: end - 1, run: async () => void (queues = await fleet.queues()) },
      ...(slow
        ? [
            { atMs: warmupMs + slow.fromMs, run: () => fleet.setBehavior(slow.index, { latencyMs: slow.latency }) },
            ...(slow.toMs < measureMs ? [{ atMs: warmupMs + slow.toMs, run: () => fleet.setBehavior(slow.index, { latencyMs: BASE_LATENCY }) }] : []),
          ]
        : []),
    ];
    let result;
    try {
      result = await openLoop({
        ratePerSec: scenario.ratePerSec,
        durationMs: end,
        deadlineMs: DEADLINE_MS,
        send: (i, signal) => clients[i % clients.length]!.send(i, signal),
        onStart: (at) => traffic.setOrigin(at),
        script,
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const latencies: number[] = [];
    let failures = 0;
    for (let i = 0; i < result.scheduledMs.length; i++) {
      if (result.scheduledMs[i]! < warmupMs) continue;
      latencies.push(result.latencyMs[i]!);
      if (!result.ok[i]) failures++;
    }
    const summary = summarize(Float64Array.from(latencies));
    const bins = traffic.bins(warmupMs, end, BIN_MS);
    const healthy = Array.from({ length: scenario.instances }, (_, i) => i).filter((i) => i !== slow?.index);
    const shares = windowShares(bins, healthy, WINDOW_BINS);
    const recoveredBins = slow && slow.toMs < measureMs ? binsUntilShare(bins, slow.index, Math.round(slow.toMs / BIN_MS), WINDOW_BINS) : null;
    const present = queues.filter((q) => q !== null);
    return {
      successPct: summary.count ? (100 * (summary.count - failures)) / summary.count : NaN,
      p50: summary.p50,
      p99: summary.p99,
      worstShare: shares.worst,
      leastShare: shares.least,
      recoveredAfterMs: recoveredBins === null ? null : recoveredBins * BIN_MS,
      maxQueued: Math.max(0, ...present.map((q) => q.maxQueued)),
      meanQueued: Math.max(0, ...present.map((q) => q.meanQueued)),
      refused: present.reduce((s, q) => s + q.refused, 0),
    };
  } finally {
    await fleet.close();
  }
}

/** The median of a figure over rounds; null (never recovered) counts as larger than any time. */
function medianOf(values: readonly (number | null)[]): number | null {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const m = median(sorted);
  return Number.isFinite(m) ? m : null;
}

export interface CapacityResult {
  readonly scenarios: readonly { readonly name: string; readonly text: string }[];
  readonly rows: CapacityRow[];
}

/** Runs every scenario with every contender, `rounds` times (order reversed every other round). */
export async function runCapacity(
  scenarios: readonly CapacityScenario[],
  contenders: readonly FleetContender[],
  rounds: number,
  log: (line: string) => void = () => {},
): Promise<CapacityResult> {
  const rows: CapacityRow[] = [];
  for (const scenario of scenarios) {
    const figures = new Map<string, RoundFigures[]>();
    const failed = new Map<string, CapacityRow>();
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) {
        if (failed.has(contender.name)) continue;
        const outcome = await runOnce(scenario, contender).catch((error: unknown) => ({ error: String((error as Error)?.message ?? error) }));
        if ('missing' in outcome || 'error' in outcome) {
          const row: CapacityRow = 'missing' in outcome
            ? { scenario: scenario.name, contender: contender.name, status: 'missing', missing: outcome.missing }
            : { scenario: scenario.name, contender: contender.name, status: 'error', missing: outcome.error };
          failed.set(contender.name, row);
          continue;
        }
        figures.set(contender.name, [...(figures.get(contender.name) ?? []), outcome]);
      }
    }
    for (const contender of contenders) {
      const bad = failed.get(contender.name);
      if (bad) {
        rows.push(bad);
        log(`  ${scenario.name} / ${contender.name}: ${bad.status.toUpperCase()} (${bad.missing})`);
        continue;
      }
      const all = figures.get(contender.name)!;
      const med = (f: (x: RoundFigures) => number): number => round(median(all.map(f)), 2);
      const row: CapacityRow = {
        scenario: scenario.name,
        contender: contender.name,
        status: 'ok',
        rounds: all.length,
        successPct: med((x) => x.successPct),
        p50: med((x) => x.p50),
        p99: med((x) => x.p99),
        worstShare: med((x) => x.worstShare),
        leastShare: med((x) => x.leastShare),
        ...(scenario.slow && scenario.slow.toMs < scenario.measureMs ? { recoveredAfterMs: medianOf(all.map((x) => x.recoveredAfterMs)) } : {}),
        maxQueued: med((x) => x.maxQueued),
        meanQueued: med((x) => x.meanQueued),
        refused: med((x) => x.refused),
      };
      rows.push(row);
      log(
        `  ${scenario.name} / ${contender.name}: success ${row.successPct}%, p99 ${row.p99} ms, 1 s share ${row.leastShare}x..${row.worstShare}x fair` +
          (row.recoveredAfterMs !== undefined ? `, back at half share after ${row.recoveredAfterMs ?? 'never'} ms` : '') +
          `, queue max ${row.maxQueued} (mean ${row.meanQueued}), refused ${row.refused}`,
      );
    }
  }
  return { scenarios: scenarios.map((s) => ({ name: s.name, text: describeScenario(s) })), rows };
}
