/**
 * The goals the figures are held to. Overhead (issue 11): undici with the balancer at >= 0.90 of
 * raw undici's req/s and within 0.05 of the do-nothing interceptor control; without a network,
 * our code <= 1.5 µs per request above undici's interceptor machinery and a heap flat over 1M
 * requests; axios and got at >= 0.95 of raw. Under faults (issue 7) a success rate of at least 99.9% and a p99 at most 1.5x the all-healthy p99, with
 * the default strategy ahead of plain round robin, BalancedPool and HAProxy on both.
 */
import type { CapacityRow } from '../capacity/capacity.js';
import type { FaultRow } from '../faults/faults.js';
import { round } from '../stats.js';
import type { NullTransportResult } from '../overhead/null-transport.js';
import type { OverheadRatio, OverheadResult } from '../overhead/overhead.js';
import type { Goal } from './result.js';

export const DEFAULT_STRATEGY = 'peak-ewma';
const PEERS = ['round robin (plain)', 'undici BalancedPool', 'HAProxy'];

/** Heap growth over the null transport's long run that still counts as flat (after GC), KB. */
const FLAT_HEAP_KB = 512;

export function overheadGoals(overhead: (OverheadResult & { readonly nullTransport?: NullTransportResult }) | undefined): Goal[] {
  if (!overhead) return [{ goal: 'overhead on a healthy fleet', figure: 'not run', met: null }];
  const goals: Goal[] = [];
  const ratio = (client: string) => overhead.ratios.find((r) => r.client === client);
  const fig = (r: OverheadRatio) => `req/s ratio ${r.rpsRatio.toFixed(3)}, client CPU ${r.extraCpuUs > 0 ? '+' : ''}${r.extraCpuUs} µs/req (x${r.cpuRatio})`;
  const undici = ratio('undici + balancer');
  const control = ratio('undici raw + no-op interceptor');
  if (undici) {
    goals.push({ goal: 'undici: >= 0.90 of raw undici req/s', figure: fig(undici), met: undici.rpsRatio >= 0.9 });
    if (control) {
      goals.push({
        goal: 'undici: within 0.05 of the do-nothing interceptor control (req/s ratios to raw)',
        figure: `${undici.rpsRatio.toFixed(3)} vs control ${control.rpsRatio.toFixed(3)}`,
        met: undici.rpsRatio >= control.rpsRatio - 0.05,
      });
    }
  }
  for (const group of ['axios', 'got'] as const) {
    const r = ratio(`${group} + balancer`);
    if (r) goals.push({ goal: `${group}: >= 0.95 of raw ${group} req/s`, figure: fig(r), met: r.rpsRatio >= 0.95 });
  }
  const n = overhead.nullTransport;
  if (n) {
    goals.push({
      goal: "without a network: our code <= 1.5 µs/request above undici's interceptor machinery",
      figure: `${n.oursUs} µs above the do-nothing interceptor (${n.extraUs > 0 ? '+' : ''}${n.extraUs} µs above raw undici)`,
      met: n.oursUs <= 1.5,
    });
    if (n.heap) {
      goals.push({
        goal: `heap flat over ${(n.heap.requests / 1e6).toLocaleString('en-US')}M requests (growth <= ${FLAT_HEAP_KB} KB${n.heap.afterGc ? ', after GC' : ''})`,
        figure: `${n.heap.beforeMB} MB -> ${n.heap.afterMB} MB (${n.heap.growthKB > 0 ? '+' : ''}${n.heap.growthKB} KB)`,
        met: n.heap.growthKB <= FLAT_HEAP_KB,
      });
    }
  }
  return goals;
}

export function faultGoals(rows: readonly FaultRow[] | undefined): Goal[] {
  const ours = rows?.find((r) => r.contender === DEFAULT_STRATEGY && r.status === 'ok');
  if (!rows || !ours?.fault || !ours.healthy) return [{ goal: 'quality under faults', figure: 'not run', met: null }];
  const goals: Goal[] = [
    {
      goal: `${DEFAULT_STRATEGY} (default): callers' success >= 99.9% under faults`,
      figure: `${ours.fault.successPct}% (${ours.fault.failures} failed of ${ours.fault.count})`,
      met: ours.fault.successPct >= 99.9,
    },
    {
      goal: `${DEFAULT_STRATEGY} (default): p99 under faults <= 1.5x all-healthy p99`,
      figure: `${ours.fault.p99} ms vs ${ours.healthy.p99} ms healthy (x${ours.p99VsHealthy})`,
      met: (ours.p99VsHealthy ?? Infinity) <= 1.5,
    },
  ];
  for (const proposed of rows.filter((r) => r.contender.startsWith(`${DEFAULT_STRATEGY}, `) && r.status === 'ok' && r.fault && r.healthy)) {
    goals.push({
      goal: `(proposal, not the default) ${proposed.contender}: success >= 99.9% and p99 <= 1.5x healthy`,
      figure: `${proposed.fault!.successPct}%; p99 ${proposed.fault!.p99} ms vs ${proposed.healthy!.p99} ms healthy (x${proposed.p99VsHealthy})`,
      met: proposed.fault!.successPct >= 99.9 && (proposed.p99VsHealthy ?? Infinity) <= 1.5,
    });
  }
  for (const name of PEERS) {
    const peer = rows.find((r) => r.contender === name);
    if (!peer || peer.status !== 'ok' || !peer.fault) {
      goals.push({ goal: `${DEFAULT_STRATEGY} ahead of ${name}`, figure: peer?.missing ?? 'not run', met: null });
      continue;
    }
    // A tie on success (both 100%, say) counts as not behind; it is marked as a tie.
    const success = ours.fault.successPct >= peer.fault.successPct;
    const tie = ours.fault.successPct === peer.fault.successPct;
    const p99 = ours.fault.p99 < peer.fault.p99;
    goals.push({
      goal: `${DEFAULT_STRATEGY} ahead of ${name} on success and p99`,
      figure:
        `success ${ours.fault.successPct}% vs ${peer.fault.successPct}%${tie ? ' (tie)' : success ? '' : ' (behind)'}; ` +
        `p99 ${ours.fault.p99} vs ${peer.fault.p99} ms${p99 ? '' : ' (behind)'}`,
      met: success && p99,
    });
  }
  return goals;
}

/** The capacity run's HAProxy contender with one proxy per client. */
export const HAPROXY_SIDECAR = 'HAProxy per client (sidecar)';

/** The capacity run's row for our default strategy. */
export const DEFAULT_FLEET_CONTENDER = `${DEFAULT_STRATEGY} (default)`;

/**
 * Issue 12: on equal instances the default's 1 s share of a healthy instance within 0.5x..1.5x
 * fair; a recovered instance back at half its fair share within 3 s; with heterogeneous capacity
 * and 8 independent clients a p99 at most half of HAProxy's with one HAProxy per client (the
 * topology the issue measured: its 96 ms is a per-client proxy's; one proxy shared by all
 * clients is a single least-connections queue no set of independent balancers can match, and
 * its ratio is shown beside); on the fault run still 100% success and p99 <= 1.2x healthy.
 */
export function capacityGoals(rows: readonly CapacityRow[] | undefined, faultRows: readonly FaultRow[] | undefined): Goal[] {
  if (!rows) return [{ goal: 'fleets with capacity', figure: 'not run', met: null }];
  const find = (scenario: string, contender = DEFAULT_FLEET_CONTENDER) => rows.find((r) => r.scenario === scenario && r.contender === contender && r.status === 'ok');
  const goals: Goal[] = [];
  const equal = find('equal');
  goals.push(
    equal
      ? {
          goal: `${DEFAULT_FLEET_CONTENDER}, equal instances: 1 s share of every instance within 0.5x..1.5x fair`,
          figure: `${equal.leastShare}x..${equal.worstShare}x`,
          met: equal.leastShare! >= 0.5 && equal.worstShare! <= 1.5,
        }
      : { goal: 'equal instances: shares', figure: 'not run', met: null },
  );
  const recovery = find('recovery');
  goals.push(
    recovery
      ? {
          goal: `${DEFAULT_FLEET_CONTENDER}: a recovered instance back at half its fair share within 3 s`,
          figure: recovery.recoveredAfterMs === null ? 'not within the run' : `${((recovery.recoveredAfterMs ?? NaN) / 1000).toFixed(1)} s`,
          met: recovery.recoveredAfterMs !== null && recovery.recoveredAfterMs! <= 3_000,
        }
      : { goal: 'recovery', figure: 'not run', met: null },
  );
  const het = find('heterogeneous');
  const sidecar = find('heterogeneous', HAPROXY_SIDECAR);
  const shared = find('heterogeneous', 'HAProxy');
  goals.push(
    het && sidecar
      ? {
          goal: `${DEFAULT_FLEET_CONTENDER}, heterogeneous capacity, 8 clients: p99 <= half of HAProxy's (one per client, as the clients are independent)`,
          figure:
            `${het.p99} ms vs ${sidecar.p99} ms (x${round(het.p99! / sidecar.p99!, 2)})` +
            (shared ? `; one HAProxy shared by all 8 clients: ${shared.p99} ms (x${round(het.p99! / shared.p99!, 2)})` : ''),
          met: het.p99! <= sidecar.p99! / 2,
        }
      : { goal: 'heterogeneous capacity: p99 vs HAProxy per client', figure: het ? 'HAProxy per client not run' : 'not run', met: null },
  );
  const fault = faultRows?.find((r) => r.contender === DEFAULT_STRATEGY && r.status === 'ok');
  if (fault?.fault && fault.healthy)
    goals.push({
      goal: `${DEFAULT_STRATEGY} (default), fault run: 100% success and p99 <= 1.2x healthy`,
      figure: `${fault.fault.successPct}%, x${fault.p99VsHealthy}`,
      met: fault.fault.successPct === 100 && (fault.p99VsHealthy ?? Infinity) <= 1.2,
    });
  return goals;
}
