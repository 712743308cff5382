/**
 * The strategy interface: how one instance is chosen among the eligible ones.
 *
 * A strategy knows nothing of health, ejection, panic or draining: the service balancer hands it
 * only the endpoints that may take traffic, and calls `build` again whenever that set or a weight
 * changes. `build` returns a picker over that fixed list; `pick` must be synchronous and cheap
 * (O(1) for all built-ins but ring-hash, which is O(log n)).
 *
 * What may change, and who changes it: the list a picker was built with never changes (a change
 * is a new `build`). A picker may mutate its own state on every `pick` (round-robin's cursor,
 * weighted round-robin's current weights, the random source's position). `observe` and `reset`
 * may write the endpoint's `slot`, which belongs to the strategy and survives rebuilds; nothing
 * else writes `slot`. `inFlight` is the service's, read live.
 *
 * Users may pass their own object implementing `Strategy` wherever a strategy name is accepted.
 */
import type { LoadReport } from '../load/load-report.js';

/** What a strategy sees of an instance. The same object is passed across rebuilds. */
export interface StrategyEndpoint {
  /** Stable identity: the normalised origin, e.g. `http://127.0.0.1:8081`. */
  readonly id: string;
  /**
   * Current weight (> 0): the configured weight scaled by slow start. Fixed for the life of a
   * picker; a change triggers a rebuild.
   */
  readonly weight: number;
  /** Requests in flight to this endpoint right now (live, read at pick time). */
  readonly inFlight: number;
  /**
   * Scratch space owned by the service's strategy (e.g. an EWMA), kept across rebuilds.
   * `undefined` until the strategy sets it. Other code never touches it.
   */
  slot: unknown;
}

/** Per-request input to a pick. */
export interface PickContext {
  /** The request's hash key for ring-hash and maglev; `undefined` when the request has none. */
  readonly hashKey: string | undefined;
  /** Current time in ms from the runtime, read once per decision. */
  readonly now: number;
}

/** What `build` receives besides the endpoints. */
export interface StrategyBuildContext {
  /** Uniform random numbers in [0, 1) from the injected runtime. */
  readonly random: () => number;
  /** Current time in ms from the runtime. */
  readonly now: number;
}

/**
 * A picker over a fixed, non-empty list of endpoints. The list never changes; the picker may
 * advance its own cursor or counters on each call.
 */
export interface Picker<E extends StrategyEndpoint> {
  /** Returns one of the endpoints the picker was built with. May update the picker's own state. */
  pick(context: PickContext): E;
}

/** An outcome sample fed back to the strategy after each finished attempt. */
export interface StrategySample {
  /** Attempt latency in ms. */
  readonly latencyMs: number;
  /** True when the instance failed (5xx, 429, connection error, attempt timeout). */
  readonly failed: boolean;
  /** Current time in ms from the runtime. */
  readonly now: number;
}

/** A balancing strategy: builds pickers over the eligible instances and may learn from finished attempts. */
export interface Strategy {
  /** Name used in logs, metrics and snapshots. */
  readonly name: string;
  /** Builds a picker over `endpoints` (never empty). Called on every membership or weight change. */
  build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E>;
  /** Optional: learns from a finished attempt (latency, failure). Cancelled attempts are not fed. */
  observe?(endpoint: StrategyEndpoint, sample: StrategySample): void;
  /**
   * Optional: receives the load an instance reports about itself (ORCA's `endpoint-load-metrics`
   * response header, TEXT or JSON), once per response or health check that carries a valid one,
   * with the time from the runtime (ms). The core reads and parses reports only for a strategy
   * that has this method; bad ones never reach it (they are counted in
   * `datapunk.balancer.load_reports`).
   */
  observeLoad?(endpoint: StrategyEndpoint, report: LoadReport, now: number): void;
  /**
   * Optional: forgets what was learnt about an endpoint. Called when it returns to healthy after
   * an ejection or failing health checks, so a penalty earned while it was broken does not keep
   * it out of rotation once it is fixed. A rebuild follows.
   */
  reset?(endpoint: StrategyEndpoint): void;
  /** Optional: JSON-serialisable per-endpoint figures for `snapshot()` (e.g. `{ ewmaMs }`). */
  describe?(endpoint: StrategyEndpoint, now: number): Record<string, number | string | boolean>;
}

/** Names of the built-in strategies. */
export type StrategyName =
  | 'round-robin'
  | 'weighted-round-robin'
  | 'random'
  | 'least-request'
  | 'peak-ewma'
  | 'weighted-least-load'
  | 'ring-hash'
  | 'maglev';
