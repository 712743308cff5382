/**
 * Part 3, quality under faults. For each contender, a fresh fleet of 8 loopback testkit
 * instances (in their own process) takes an open-loop load through the contender: first all
 * healthy, then four instances misbehave at once: one 10x slower, one answering 503 to 30% of
 * requests, one crashing (and restarting later), one hanging after accept (its health endpoint
 * too). Reported per contender: the callers' success rate and latency percentiles in the fault
 * phase, the all-healthy p99 for comparison, and for each bad instance its share of the attempts
 * and how long after the fault began it stopped getting traffic.
 */
import type { BehaviorOptions, LatencySpec } from '@datapunk/testkit';
import { startRemoteFleet } from '../fleet/remote-fleet.js';
import { round, summarize, type LatencySummary } from '../stats.js';
import type { FaultContender } from './contenders.js';
import { openLoop, type OpenLoopResult } from './open-loop.js';
import { TrafficLog } from './traffic.js';

export interface FaultTimeline {
  readonly ratePerSec: number;
  /** Unmeasured start (connections, JIT). */
  readonly warmupMs: number;
  /** All-healthy phase, measured. */
  readonly healthyMs: number;
  /** Faults on, measured. */
  readonly faultMs: number;
  /** How long the crashed instance stays down (from the start of the fault phase). */
  readonly crashForMs: number;
  /** Callers' deadline per request. */
  readonly deadlineMs: number;
}

export const FULL_TIMELINE: FaultTimeline = { ratePerSec: 400, warmupMs: 1_000, healthyMs: 3_000, faultMs: 12_000, crashForMs: 6_000, deadlineMs: 2_000 };
export const QUICK_TIMELINE: FaultTimeline = { ratePerSec: 200, warmupMs: 300, healthyMs: 1_000, faultMs: 3_000, crashForMs: 1_500, deadlineMs: 2_000 };

const BASE_LATENCY: LatencySpec = { kind: 'lognormal', medianMs: 10, sigma: 0.25 };
const SLOW_LATENCY: LatencySpec = { kind: 'lognormal', medianMs: 100, sigma: 0.25 };

/** The bad instances, by index into the fleet of 8 (0 to 3 stay healthy). */
export const BAD = { slow: 4, errors: 5, crash: 6, hang: 7 } as const;
export type BadInstance = keyof typeof BAD;
export const FLEET_SIZE = 8;

export const FLEET_TEXT =
  `${FLEET_SIZE} testkit instances, latency lognormal (median 10 ms, sigma 0.25); at the fault onset: ` +
  `#${BAD.slow} 10x slower (median 100 ms), #${BAD.errors} 503 for 30% of requests, #${BAD.crash} crashes ` +
  `(connections reset, port closed) and restarts later, #${BAD.hang} accepts and never answers (health endpoint too)`;

export interface InstanceTraffic {
  /** Share of all attempts that went to the instance during its fault, %. */
  readonly sharePct: number;
  /** Time from the fault onset until it stopped getting traffic (<= 1% of attempts from then on), ms; null: never. */
  readonly stoppedAfterMs: number | null;
}

export interface FaultRow {
  readonly contender: string;
  readonly setup: string;
  /** `missing`: the peer is not installed; `error`: the run failed (see `missing` for why). */
  readonly status: 'ok' | 'missing' | 'error';
  readonly missing?: string;
  readonly healthy?: PhaseSummary;
  readonly fault?: PhaseSummary;
  /** fault p99 / healthy p99. */
  readonly p99VsHealthy?: number;
  readonly bad?: Readonly<Record<BadInstance, InstanceTraffic>>;
  /** Share of attempts the crashed instance got back after its restart, %. */
  readonly crashedShareAfterRestartPct?: number;
  /** Largest delay between a request's scheduled and actual send (client stall), ms. */
  readonly maxSendLagMs?: number;
}

export type PhaseSummary = LatencySummary & { readonly successPct: number; readonly failures: number };

function phase(result: OpenLoopResult, fromMs: number, toMs: number): PhaseSummary {
  const latencies: number[] = [];
  let failures = 0;
  for (let i = 0; i < result.scheduledMs.length; i++) {
    const t = result.scheduledMs[i]!;
    if (t < fromMs || t >= toMs) continue;
    latencies.push(result.latencyMs[i]!);
    if (!result.ok[i]) failures++;
  }
  const summary = summarize(Float64Array.from(latencies));
  return { ...summary, successPct: summary.count ? round((100 * (summary.count - failures)) / summary.count, 3) : NaN, failures };
}

export async function runFaultContender(contender: FaultContender, timeline: FaultTimeline): Promise<FaultRow> {
  const behaviors: BehaviorOptions[] = Array.from({ length: FLEET_SIZE }, () => ({ latencyMs: BASE_LATENCY }));
  const fleet = await startRemoteFleet(behaviors);
  const traffic = new TrafficLog(fleet.urls);
  try {
    const client = await contender.start(fleet.urls, traffic);
    if ('missing' in client) return { contender: contender.name, setup: contender.setupText, status: 'missing', missing: client.missing };
    const onset = timeline.warmupMs + timeline.healthyMs;
    const end = onset + timeline.faultMs;
    const restartAt = onset + timeline.crashForMs;
    let result: OpenLoopResult;
    try {
      result = await openLoop({
        ratePerSec: timeline.ratePerSec,
        durationMs: end,
        deadlineMs: timeline.deadlineMs,
        send: client.send,
        onStart: (at) => traffic.setOrigin(at),
        script: [
          {
            atMs: onset,
            run: () =>
              Promise.all([
                fleet.setBehavior(BAD.slow, { latencyMs: SLOW_LATENCY }),
                fleet.setBehavior(BAD.errors, { errorRate: 0.3 }),
                fleet.crash(BAD.crash),
                fleet.setBehavior(BAD.hang, { hang: true, health: { hang: true } }),
              ]),
          },
          { atMs: restartAt, run: () => fleet.restart(BAD.crash) },
        ],
      });
    } finally {
      await client.close();
    }
    const healthy = phase(result, timeline.warmupMs, onset);
    const fault = phase(result, onset, end);
    const of = (index: number, from: number, to: number): InstanceTraffic => {
      const a = traffic.analyse(index, from, to);
      return { sharePct: round(100 * a.share, 2), stoppedAfterMs: a.stoppedAfterMs };
    };
    return {
      contender: contender.name,
      setup: contender.setupText,
      status: 'ok',
      healthy,
      fault,
      p99VsHealthy: round(fault.p99 / healthy.p99, 2),
      bad: {
        slow: of(BAD.slow, onset, end),
        errors: of(BAD.errors, onset, end),
        crash: of(BAD.crash, onset, restartAt),
        hang: of(BAD.hang, onset, end),
      },
      crashedShareAfterRestartPct: round(100 * traffic.analyse(BAD.crash, restartAt, end).share, 2),
      maxSendLagMs: round(result.maxSendLagMs, 1),
    };
  } finally {
    await fleet.close();
  }
}

export interface FaultsResult {
  readonly timeline: FaultTimeline;
  readonly fleet: string;
  readonly rows: FaultRow[];
}

/** Runs the contenders one after the other, each on a fresh fleet. */
export async function runFaults(contenders: readonly FaultContender[], timeline: FaultTimeline, log: (line: string) => void = () => {}): Promise<FaultsResult> {
  const rows: FaultRow[] = [];
  for (const contender of contenders) {
    const row = await runFaultContender(contender, timeline).catch(
      (error: unknown): FaultRow => ({ contender: contender.name, setup: contender.setupText, status: 'error', missing: String((error as Error)?.message ?? error) }),
    );
    log(
      row.status !== 'ok'
        ? `  ${contender.name}: ${row.status.toUpperCase()} (${row.missing})`
        : `  ${contender.name}: success ${row.fault!.successPct}%, p50 ${row.fault!.p50} ms, p99 ${row.fault!.p99} ms (healthy p99 ${row.healthy!.p99} ms)`,
    );
    rows.push(row);
  }
  return { timeline, fleet: FLEET_TEXT, rows };
}
