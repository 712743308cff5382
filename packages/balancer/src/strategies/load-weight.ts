/**
 * gRFC A58's endpoint weights from load reports, as pure arithmetic over a small state object
 * (one per endpoint, in the strategy's slot):
 *
 *   weight = qps / (utilization + eps / qps x errorUtilizationPenalty)
 *
 * where qps is the report's `rpsFractional`, and utilization its `applicationUtilization` when
 * above 0, else its `cpuUtilization`. A report without qps or utilization (or a weight of 0)
 * changes nothing. A weight is usable once the endpoint has reported for `blackoutPeriodMs`
 * without a gap of `weightExpirationPeriodMs`, and until `weightExpirationPeriodMs` passes
 * without a report; after such a gap the blackout starts again with the next report. A58 resets
 * `non_empty_since` when it reads an expired weight; here the next report does it (it sees the
 * gap), so reading stays free of side effects and gives the same answers.
 *
 * The scheduler's weights (`schedulerWeights`) follow gRPC's: an endpoint without a usable
 * weight gets the mean of those with one, and known weights are clamped to [1%, 10x] of that
 * mean, so a near-zero report still gets an occasional request (and can report again) and one
 * outlandish report cannot take every pick.
 */
import type { LoadReport } from '../load/load-report.js';

/** What the weight rules need of the strategy's options. */
export interface LoadWeightRules {
  readonly blackoutPeriodMs: number;
  readonly weightExpirationPeriodMs: number;
  readonly errorUtilizationPenalty: number;
}

/** Known weights are clamped to [MIN_RATIO, MAX_RATIO] x their mean (gRPC's static stride scheduler). */
export const MIN_RATIO = 0.01;
export const MAX_RATIO = 10;

/** An endpoint's weight from its reports. */
export class LoadWeight {
  /** The last weight computed from a report (0: none yet). */
  weight = 0;
  /** When the current run of reports started (A58's `non_empty_since`); NaN: no run. */
  since = NaN;
  /** When the last report with a weight arrived, ms; NaN: never. */
  updatedAt = NaN;
  /** The last report's figures, for snapshots. */
  utilization = 0;
  qps = 0;
  eps = 0;

  /** Forgets the run of reports (A58's `OnSubchannelBecomesReady`): the blackout applies again. */
  restart(): void {
    this.since = NaN;
  }
}

/** The weight a report gives (0: it gives none). */
export function reportWeight(report: LoadReport, errorUtilizationPenalty: number): number {
  const qps = report.rpsFractional ?? 0;
  const app = report.applicationUtilization ?? 0;
  const utilization = app > 0 ? app : (report.cpuUtilization ?? 0);
  if (!(qps > 0) || !(utilization > 0)) return 0;
  const eps = report.eps ?? 0;
  const penalty = eps > 0 && errorUtilizationPenalty > 0 ? (eps / qps) * errorUtilizationPenalty : 0;
  const weight = qps / (utilization + penalty);
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

/** Applies a report received at `now` to `state`. */
export function recordReport(state: LoadWeight, report: LoadReport, now: number, rules: LoadWeightRules): void {
  const weight = reportWeight(report, rules.errorUtilizationPenalty);
  if (weight === 0) return;
  // A new run starts after a reset, or after a gap long enough to have expired the last weight.
  if (Number.isNaN(state.since) || !(now - state.updatedAt < rules.weightExpirationPeriodMs)) state.since = now;
  state.weight = weight;
  state.updatedAt = now;
  const app = report.applicationUtilization ?? 0;
  state.utilization = app > 0 ? app : (report.cpuUtilization ?? 0);
  state.qps = report.rpsFractional ?? 0;
  state.eps = report.eps ?? 0;
}

/** The weight to use at `now`: 0 while in blackout, after expiry, or without a report. */
export function usableWeight(state: LoadWeight, now: number, rules: LoadWeightRules): number {
  if (Number.isNaN(state.since)) return 0;
  if (!(now - state.updatedAt < rules.weightExpirationPeriodMs)) return 0;
  if (rules.blackoutPeriodMs > 0 && now - state.since < rules.blackoutPeriodMs) return 0;
  return state.weight;
}

/**
 * The scheduler's weights from the usable ones (`known[i]`, 0 for none), in place: unknown ones
 * get the mean of the known, known ones are clamped to [MIN_RATIO, MAX_RATIO] x mean. Returns
 * how many were known.
 */
export function schedulerWeights(known: Float64Array): number {
  let count = 0;
  let sum = 0;
  for (const w of known) {
    if (w > 0) {
      count++;
      sum += w;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  const low = mean * MIN_RATIO;
  const high = mean * MAX_RATIO;
  for (let i = 0; i < known.length; i++) {
    const w = known[i]!;
    known[i] = w > 0 ? Math.min(high, Math.max(low, w)) : mean;
  }
  return count;
}
