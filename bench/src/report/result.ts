/** The machine-readable result of `pnpm bench` (bench/results/latest.json). */
import type { CapacityResult } from '../capacity/capacity.js';
import type { FaultsResult } from '../faults/faults.js';
import type { MachineInfo } from '../machine.js';
import type { NullTransportResult } from '../overhead/null-transport.js';
import type { OverheadResult } from '../overhead/overhead.js';
import type { PickCostOptions, PickCostResult } from '../pick-cost.js';

export interface Goal {
  readonly goal: string;
  readonly figure: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
}

/** The parts of `pnpm bench` (`--only` takes a comma-separated list of them). */
export type PartName = 'pick' | 'overhead' | 'faults' | 'capacity';

export interface BenchResult {
  readonly meta: MachineInfo & {
    readonly mode: 'full' | 'quick' | 'custom';
    readonly durationS: number;
    readonly haproxy: string | null;
    /** When each part present was measured: set when `--only` kept parts of an earlier run. */
    readonly measured?: Partial<Record<PartName, string>>;
  };
  readonly pickCost?: PickCostResult & { readonly options: PickCostOptions };
  readonly overhead?: OverheadResult & { readonly nullTransport: NullTransportResult };
  readonly faults?: FaultsResult & { readonly balancerConfig: string; readonly haproxyConfig: string };
  readonly capacity?: CapacityResult;
  readonly goals: readonly Goal[];
}
