/**
 * Weighted least load: instances weighted by the load they report about themselves (ORCA
 * `endpoint-load-metrics` response headers), as gRPC's `weighted_round_robin` does (gRFC A58).
 *
 * Each valid report (`observeLoad`) updates the instance's weight,
 * `qps / (utilization + eps / qps x errorUtilizationPenalty)` (`load-weight.ts`): an instance
 * serving the same rate at a third of the utilization gets three times the traffic. A weight is
 * used once the instance has reported for `blackoutPeriodMs` (so one early report after a
 * restart cannot swing traffic), and dropped when `weightExpirationPeriodMs` passes without a
 * report. Picks follow an earliest-deadline-first sequence over the weights, each endpoint's
 * first turn at a random phase so that many clients do not move in lockstep (A58's EDF); an
 * instance without a usable weight gets the mean of the others'.
 *
 * Until at least two instances have usable weights (A58 then falls back to round robin), picks
 * are the default strategy's, peak-ewma with its defaults, which also learns from every attempt
 * meanwhile: with servers that send no reports, the strategy behaves as the default does.
 *
 * Differences from A58, and why:
 * - Weights are recomputed lazily, at the first pick at least `weightUpdatePeriodMs` after the
 *   last computation, instead of on a timer per picker: the same schedule under traffic, no
 *   timer to stop on close, no work for an idle service.
 * - The instance's weight (configured weight x slow start) multiplies the reported weight, so
 *   slow start ramps an instance that joins; leave weights at 1 to let the servers decide.
 */
import type { LoadReport } from '../load/load-report.js';
import { recordReport, usableWeight } from './load-weight.js';
import { checkOptionsObject, numberOption, type NumberRule } from './options.js';
import { peakEwma } from './peak-ewma.js';
import type { Picker, Strategy, StrategyBuildContext, StrategyEndpoint, StrategySample } from './strategy.js';
import { LoadSlot, WeightedLeastLoadPicker } from './weighted-least-load-picker.js';

/** Options of `weightedLeastLoad` (gRFC A58's, in camelCase with units). */
export interface WeightedLeastLoadOptions {
  /**
   * How long an instance must have reported before its weight is used, in ms (>= 0; 0: at once).
   * Applies again after its weight expired and after it recovered from an ejection or failing
   * health checks. Defaults to 10 s.
   */
  readonly blackoutPeriodMs?: number;
  /** A weight without a new report for this long, in ms (> 0), is no longer used. Defaults to 3 minutes. */
  readonly weightExpirationPeriodMs?: number;
  /**
   * How much the instance's own error rate (`eps / qps`) counts against it, added to its
   * utilization (>= 0; 0: errors ignored). Defaults to 1.
   */
  readonly errorUtilizationPenalty?: number;
  /** Weights are recomputed at most this often, in ms (>= 100). Defaults to 1 s. */
  readonly weightUpdatePeriodMs?: number;
}

/** Resolved `WeightedLeastLoadOptions`. */
export interface WeightedLeastLoadConfig {
  readonly blackoutPeriodMs: number;
  readonly weightExpirationPeriodMs: number;
  readonly errorUtilizationPenalty: number;
  readonly weightUpdatePeriodMs: number;
}

const KEYS = ['blackoutPeriodMs', 'weightExpirationPeriodMs', 'errorUtilizationPenalty', 'weightUpdatePeriodMs'];

/** Weights from the instances' own load reports (gRFC A58), peak-ewma until they report; see the file comment. */
export function weightedLeastLoad(options?: WeightedLeastLoadOptions): Strategy {
  checkOptionsObject('weightedLeastLoad', options, KEYS);
  const num = (key: keyof WeightedLeastLoadOptions, fallback: number, rule: NumberRule): number => numberOption('weightedLeastLoad', key, options?.[key], fallback, rule);
  const config: WeightedLeastLoadConfig = Object.freeze({
    blackoutPeriodMs: num('blackoutPeriodMs', 10_000, { min: 0 }),
    weightExpirationPeriodMs: num('weightExpirationPeriodMs', 180_000, { min: 0, exclusiveMin: true }),
    errorUtilizationPenalty: num('errorUtilizationPenalty', 1, { min: 0 }),
    weightUpdatePeriodMs: num('weightUpdatePeriodMs', 1_000, { min: 100 }),
  });
  const fallback = peakEwma();

  const slotOf = (endpoint: StrategyEndpoint): LoadSlot => {
    const slot = endpoint.slot;
    if (slot instanceof LoadSlot) return slot;
    const created = new LoadSlot(endpoint);
    endpoint.slot = created;
    return created;
  };

  return {
    name: 'weighted-least-load',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      const slots = endpoints.map(slotOf);
      const fallbackPicker = fallback.build(slots.map((s) => s.view), context);
      return new WeightedLeastLoadPicker(endpoints, slots, fallbackPicker, context.random, config);
    },
    observe(endpoint: StrategyEndpoint, sample: StrategySample): void {
      fallback.observe!(slotOf(endpoint).view, sample);
    },
    observeLoad(endpoint: StrategyEndpoint, report: LoadReport, now: number): void {
      recordReport(slotOf(endpoint).load, report, now, config);
    },
    reset(endpoint: StrategyEndpoint): void {
      const slot = slotOf(endpoint);
      slot.load.restart();
      fallback.reset!(slot.view);
    },
    describe(endpoint: StrategyEndpoint, now: number): Record<string, number | string | boolean> {
      const slot = slotOf(endpoint);
      const figures = fallback.describe!(slot.view, now);
      const load = slot.load;
      if (Number.isNaN(load.updatedAt)) return figures;
      const round = (x: number): number => Math.round(x * 1000) / 1000;
      return { ...figures, loadWeight: round(usableWeight(load, now, config)), utilization: round(load.utilization), rpsFractional: round(load.qps), eps: round(load.eps), loadReportAgeMs: Math.round(now - load.updatedAt) };
    },
  };
}
