/**
 * Part 2, overhead on a healthy fleet: 4 loopback testkit instances (in their own process), a
 * closed-loop load at fixed concurrency through each client of a group. The clients of a group
 * run interleaved in one process (A B C, C B A, A B C, ...), so that drift in the shared
 * machine's speed hits them alike; each ratio (balanced / raw) is the median of the per-round
 * ratios.
 */
import { startRemoteFleet } from '../fleet/remote-fleet.js';
import { median, round } from '../stats.js';
import { closedLoop, type ClosedLoopResult } from './closed-loop.js';
import { GROUPS, loadClients, type Group, type LoadClient } from './clients.js';

export interface OverheadOptions {
  readonly groups?: readonly Group[];
  /** Interleaved rounds; every client runs once per round. */
  readonly rounds: number;
  /** Length of one run, ms. */
  readonly runMs: number;
  /** Unmeasured run per client before the first round, ms. */
  readonly warmupMs: number;
  readonly concurrency: number;
}

/**
 * Nine rounds of 1 s rather than five of 1.5 s (the same time): on the shared machine a burst of
 * other work spoils a round or two of a run, and the median of nine per-round ratios moves less
 * for it (runs of 5 x 1.5 s gave undici ratios 0.80-0.92 for one build).
 */
export const FULL_OVERHEAD: OverheadOptions = { rounds: 9, runMs: 1_000, warmupMs: 1_000, concurrency: 16 };
export const QUICK_OVERHEAD: OverheadOptions = { rounds: 2, runMs: 400, warmupMs: 300, concurrency: 16 };

export interface OverheadRow {
  readonly group: Group;
  readonly client: string;
  readonly role: LoadClient['role'];
  /** Medians over the rounds. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number;
  /** The user-space and kernel parts of `cpuUsPerRequest` (medians of their own). */
  readonly userUsPerRequest: number;
  readonly sysUsPerRequest: number;
  readonly errors: number;
  readonly runs: readonly { readonly rps: number; readonly p99Ms: number; readonly cpuUsPerRequest: number; readonly userUsPerRequest: number; readonly sysUsPerRequest: number }[];
}

export interface OverheadRatio {
  readonly group: Group;
  readonly client: string;
  readonly baseline: string;
  /** Median over rounds of client req/s / baseline req/s in the same round. */
  readonly rpsRatio: number;
  /** Same for p99. */
  readonly p99Ratio: number;
  /** Same for client CPU per request. */
  readonly cpuRatio: number;
  /** Median extra client CPU per request, µs. */
  readonly extraCpuUs: number;
  /** The same for its user-space and kernel parts. */
  readonly extraUserUs: number;
  readonly extraSysUs: number;
}

export interface OverheadResult {
  readonly options: OverheadOptions;
  readonly rows: OverheadRow[];
  readonly ratios: OverheadRatio[];
}

export async function runOverhead(options: OverheadOptions, log: (line: string) => void = () => {}): Promise<OverheadResult> {
  const fleet = await startRemoteFleet([{}, {}, {}, {}]);
  const rows: OverheadRow[] = [];
  const ratios: OverheadRatio[] = [];
  try {
    for (const group of options.groups ?? GROUPS) {
      const clients = loadClients(group, fleet.urls);
      try {
        const runs = new Map<LoadClient, ClosedLoopResult[]>(clients.map((c) => [c, []]));
        for (const c of clients) await closedLoop(c.send, options.concurrency, options.warmupMs);
        for (let r = 0; r < options.rounds; r++) {
          const order = r % 2 === 0 ? clients : [...clients].reverse();
          for (const c of order) runs.get(c)!.push(await closedLoop(c.send, options.concurrency, options.runMs));
        }
        for (const c of clients) {
          const rs = runs.get(c)!;
          rows.push({
            group,
            client: c.name,
            role: c.role,
            rps: Math.round(median(rs.map((x) => x.rps))),
            p50Ms: round(median(rs.map((x) => x.latency.p50))),
            p99Ms: round(median(rs.map((x) => x.latency.p99))),
            cpuUsPerRequest: round(median(rs.map((x) => x.cpuUsPerRequest)), 1),
            userUsPerRequest: round(median(rs.map((x) => x.userUsPerRequest)), 1),
            sysUsPerRequest: round(median(rs.map((x) => x.sysUsPerRequest)), 1),
            errors: rs.reduce((n, x) => n + x.errors, 0),
            runs: rs.map((x) => ({
              rps: Math.round(x.rps),
              p99Ms: round(x.latency.p99),
              cpuUsPerRequest: round(x.cpuUsPerRequest, 1),
              userUsPerRequest: round(x.userUsPerRequest, 1),
              sysUsPerRequest: round(x.sysUsPerRequest, 1),
            })),
          });
        }
        const raw = clients.find((c) => c.role === 'raw')!;
        for (const c of clients.filter((x) => x.role !== 'raw')) {
          const a = runs.get(c)!;
          const b = runs.get(raw)!;
          const per = (f: (x: ClosedLoopResult) => number): number => round(median(a.map((x, i) => f(x) / f(b[i]!))), 3);
          const extra = (f: (x: ClosedLoopResult) => number): number => round(median(a.map((x, i) => f(x) - f(b[i]!))), 1);
          ratios.push({
            group,
            client: c.name,
            baseline: raw.name,
            rpsRatio: per((x) => x.rps),
            p99Ratio: per((x) => x.latency.p99),
            cpuRatio: per((x) => x.cpuUsPerRequest),
            extraCpuUs: extra((x) => x.cpuUsPerRequest),
            extraUserUs: extra((x) => x.userUsPerRequest),
            extraSysUs: extra((x) => x.sysUsPerRequest),
          });
        }
        for (const row of rows.filter((x) => x.group === group)) {
          log(`  ${row.client}: ${row.rps} req/s, p99 ${row.p99Ms} ms, ${row.cpuUsPerRequest} µs CPU/req${row.errors ? `, ${row.errors} errors` : ''}`);
        }
      } finally {
        for (const c of clients) await c.close();
      }
    }
  } finally {
    await fleet.close();
  }
  return { options, rows, ratios };
}
