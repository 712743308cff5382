/**
 * Messages between the bench (parent) and the fleet process (child). The fleet runs in its own
 * process so that the servers' work does not share an event loop with the load generator: the
 * client's cost is then measured alone (its CPU time), and a busy client does not delay answers.
 */
import type { BehaviorOptions, CapacityOptions, LoadReportValues, QueueStats } from '@datapunk/testkit';

export type FleetCommand =
  | { readonly op: 'start'; readonly behaviors: readonly BehaviorOptions[]; readonly seed: number; readonly capacity?: CapacityOptions }
  | { readonly op: 'set'; readonly index: number; readonly behavior: BehaviorOptions }
  | { readonly op: 'load'; readonly index: number; readonly report: LoadReportValues | 'auto' | null }
  | { readonly op: 'crash'; readonly index: number }
  | { readonly op: 'restart'; readonly index: number }
  | { readonly op: 'stats' }
  | { readonly op: 'queues'; readonly reset: boolean }
  | { readonly op: 'close' };

/** Per-server counters, health probes counted apart. */
export interface RemoteServerStats {
  readonly requests: number;
  readonly health: number;
  readonly byStatus: Readonly<Record<number, number>>;
}

export type FleetReply =
  | { readonly id: number; readonly ok: true; readonly urls?: readonly string[]; readonly stats?: readonly RemoteServerStats[]; readonly queues?: readonly (QueueStats | null)[] }
  | { readonly id: number; readonly ok: false; readonly error: string };
