/**
 * The goals the figures are held to (issue 7): overhead at most 5% of raw undici throughput;
 * under faults a success rate of at least 99.9% and a p99 at most 1.5x the all-healthy p99, with
 * the default strategy ahead of plain round robin, BalancedPool and HAProxy on both.
 */
import type { FaultRow } from '../faults/faults.js';
import type { OverheadResult } from '../overhead/overhead.js';
import type { Goal } from './result.js';

export const DEFAULT_STRATEGY = 'peak-ewma';
const PEERS = ['round robin (plain)', 'undici BalancedPool', 'HAProxy'];

export function overheadGoals(overhead: OverheadResult | undefined): Goal[] {
  if (!overhead) return [{ goal: 'balancer overhead <= 5% of raw undici throughput', figure: 'not run', met: null }];
  return overhead.ratios
    .filter((r) => r.client.includes('+ balancer'))
    .map((r) => ({
      goal: `${r.group}: balancer overhead <= 5% of raw ${r.group} throughput${r.group === 'undici' ? '' : ' (same bar, for information)'}`,
      figure: `req/s ratio ${r.rpsRatio.toFixed(3)} (${((r.rpsRatio - 1) * 100).toFixed(1)}%), client CPU +${r.extraCpuUs} µs/req (x${r.cpuRatio})`,
      met: r.rpsRatio >= 0.95,
    }));
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
