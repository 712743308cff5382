/**
 * The eligible set: which instances may take traffic right now, and the strategy's picker over
 * them. Rebuilt (never edited) whenever membership, health, ejection or weights change; its own
 * fields never change after `build`, while the strategy's picker may advance its own cursor or
 * counters on every pick (see `Picker` in strategies/strategy.ts).
 *
 * It applies the panic threshold (Envoy): when the healthy share of non-draining instances falls
 * below the threshold, balance over every non-draining instance (or fail fast), because sending
 * all traffic to the few survivors would take them down too. The strategy sees only the chosen
 * candidates and knows nothing of health.
 */
import type { PanicConfig } from '../config/config.js';
import type { UnavailableReason } from '../errors.js';
import type { InstanceRecord } from '../instance/instance.js';
import { randomStrategy } from '../strategies/random.js';
import type { Picker, Strategy } from '../strategies/strategy.js';
import { zonePicker, type ZoneAwareConfig } from '../zones/zone-routing.js';

/** Stands in when the configured strategy fails to build. */
const FALLBACK = randomStrategy();

/** The instances a request already tried: none, one, or a set of them. */
export type Tried = InstanceRecord | ReadonlySet<InstanceRecord> | undefined;

export function wasTried(tried: Tried, r: InstanceRecord): boolean {
  return tried === r || (tried instanceof Set && tried.has(r));
}

/** Tries of the strategy before scanning for an instance not yet tried by the request. */
const EXCLUSION_TRIES = 3;

export class EligibleSet {
  private readonly context: { hashKey: string | undefined; now: number } = { hashKey: undefined, now: 0 };

  private constructor(
    /** Instances the strategy picks from (empty when unavailable). */
    readonly candidates: readonly InstanceRecord[],
    private readonly picker: Picker<InstanceRecord> | undefined,
    /** Set when no instance may be picked. */
    readonly unavailable: UnavailableReason | undefined,
    /** Human detail for the unavailable error, e.g. `2 ejected, 1 unhealthy`. */
    readonly detail: string | undefined,
    readonly panic: boolean,
    readonly healthy: number,
    readonly total: number,
    private readonly random: () => number,
  ) {}

  /**
   * Builds the picker. A strategy whose `build` throws (maglev with more instances than its
   * table, a buggy custom strategy) must not take the service down: `onStrategyError` is told
   * and a uniform random picker stands in until the next rebuild.
   */
  static build(
    records: Iterable<InstanceRecord>,
    strategy: Strategy,
    panic: PanicConfig,
    random: () => number,
    now: number,
    onStrategyError: (error: unknown) => void = () => {},
    zones?: ZoneAwareConfig,
  ): EligibleSet {
    const healthy: InstanceRecord[] = [];
    const active: InstanceRecord[] = [];
    let ejected = 0;
    let unhealthy = 0;
    let draining = 0;
    for (const r of records) {
      if (r.state === 'draining') {
        draining++;
        continue;
      }
      active.push(r);
      if (r.state === 'healthy') healthy.push(r);
      else if (r.state === 'ejected') ejected++;
      else unhealthy++;
    }
    const buildStrategy = (candidates: InstanceRecord[]): Picker<InstanceRecord> => {
      try {
        return strategy.build(candidates, { random, now });
      } catch (error) {
        onStrategyError(error);
        return FALLBACK.build(candidates, { random, now });
      }
    };
    const make = (
      candidates: InstanceRecord[],
      reason: UnavailableReason | undefined,
      detail: string | undefined,
      inPanic: boolean,
      routed?: Picker<InstanceRecord>,
    ) =>
      new EligibleSet(
        candidates,
        routed ?? (candidates.length > 0 ? buildStrategy(candidates) : undefined),
        reason,
        detail,
        inPanic,
        healthy.length,
        active.length,
        random,
      );

    if (active.length === 0) {
      return draining > 0
        ? make([], 'all-draining', `${draining} draining`, false)
        : make([], 'none-discovered', undefined, false);
    }
    const inPanic = panic.thresholdPercent > 0 && (healthy.length * 100) / active.length < panic.thresholdPercent;
    const detail = `${healthy.length} healthy, ${ejected} ejected, ${unhealthy} unhealthy, ${draining} draining`;
    if (inPanic) {
      return panic.mode === 'fail-fast' ? make([], 'panic-fail-fast', detail, true) : make(active, undefined, detail, true);
    }
    if (healthy.length === 0) {
      return make([], ejected > 0 && unhealthy === 0 ? 'all-ejected' : 'all-unhealthy', detail, false);
    }
    // Zone-aware routing applies only here: never in panic, never when nothing is healthy.
    return make(healthy, undefined, undefined, false, zones && zonePicker(healthy, zones, buildStrategy, random));
  }

  /**
   * Picks an instance, avoiding those in `exclude` (instances this request already tried) and
   * those with `maxInFlight` attempts in flight (a circuit breaker; Infinity: none). Returns the
   * reason when nothing may be picked.
   */
  pick(hashKey: string | undefined, now: number, exclude?: Tried, maxInFlight = Infinity): InstanceRecord | UnavailableReason | 'max-requests-per-instance' {
    const picker = this.picker;
    if (!picker) return this.unavailable ?? 'none-discovered';
    // One mutable context per picker: picks are synchronous, so reuse saves an allocation each.
    const context = this.context;
    context.hashKey = hashKey;
    context.now = now;
    if (exclude === undefined && maxInFlight === Infinity) return picker.pick(context);
    const skip = (r: InstanceRecord): boolean => wasTried(exclude, r) || r.inFlight >= maxInFlight;
    for (let i = 0; i < EXCLUSION_TRIES; i++) {
      const r = picker.pick(context);
      if (!skip(r)) return r;
    }
    const n = this.candidates.length;
    const start = Math.floor(this.random() * n);
    let full = false;
    for (let i = 0; i < n; i++) {
      const r = this.candidates[(start + i) % n]!;
      if (!skip(r)) return r;
      full ||= !wasTried(exclude, r);
    }
    return full ? 'max-requests-per-instance' : 'all-tried';
  }

  /** Whether some candidate is not in `exclude` nor at `maxInFlight` (a retry would find an instance). */
  hasOtherThan(exclude: Tried, maxInFlight = Infinity): boolean {
    return this.candidates.some((r) => !wasTried(exclude, r) && r.inFlight < maxInFlight);
  }
}
