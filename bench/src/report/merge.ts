/**
 * `pnpm bench --only <parts>` re-runs some parts: the results file keeps the other parts from
 * the previous run, each with the date it was measured (`meta.measured`), and the goals are
 * recomputed over the merged parts. A full run replaces everything.
 */
import { capacityGoals, faultGoals, overheadGoals } from './goals.js';
import type { BenchResult, PartName } from './result.js';

/** Where each part sits in the results. */
export const PART_KEYS = { pick: 'pickCost', overhead: 'overhead', faults: 'faults', capacity: 'capacity' } as const satisfies Record<PartName, keyof BenchResult>;

/** `result` (which ran `ran`) with the parts it did not run taken from `previous`. */
export function mergeResults(previous: BenchResult | undefined, result: BenchResult, ran: readonly PartName[]): BenchResult {
  const measured: Partial<Record<PartName, string>> = {};
  const merged: { -readonly [K in keyof BenchResult]: BenchResult[K] } = { ...result };
  for (const part of Object.keys(PART_KEYS) as PartName[]) {
    const key = PART_KEYS[part];
    if (ran.includes(part)) {
      if (result[key] !== undefined) measured[part] = result.meta.date;
    } else if (previous?.[key] !== undefined) {
      (merged as Record<string, unknown>)[key] = previous[key];
      measured[part] = previous.meta.measured?.[part] ?? previous.meta.date;
    }
  }
  merged.meta = { ...result.meta, measured };
  merged.goals = [...overheadGoals(merged.overhead), ...faultGoals(merged.faults?.rows), ...capacityGoals(merged.capacity?.rows, merged.faults?.rows)];
  return merged;
}
