/**
 * Zone-aware routing (Envoy's rule): keep traffic in the caller's zone as far as the upstream
 * fleet allows, and spill the rest to the zones with spare capacity.
 *
 * Inputs: the share of callers in each zone (Envoy's "local cluster") and the healthy upstream
 * instances per zone. With `local` the caller's zone:
 * - off (balance over every zone) in panic, when fewer than `minClusterSize` upstream instances
 *   are healthy, when the caller's zone has no healthy instance, or when all are in one zone;
 * - direct (everything local) when the upstream share of the local zone is at least the callers'
 *   share of it: the local instances can carry the local callers;
 * - residual otherwise: `upstream[local] / callers[local]` of the requests stay local; the rest
 *   go to the other zones in proportion to their residual capacity,
 *   `max(0, upstream[z] - callers[z])`, where every caller would send the same share.
 * Shares are of instance counts (Envoy counts hosts, not weights). Instances without a zone form
 * a zone of their own that no caller is in.
 */
import type { Picker, PickContext, StrategyEndpoint } from '../strategies/strategy.js';

/** The resolved `zoneAware` option of a service. */
export interface ZoneAwareConfig {
  /** The caller's zone (the balancer's `zone`). */
  readonly localZone: string;
  /** Share of the callers in each zone, summing to 1. */
  readonly callers: ReadonlyMap<string, number>;
  /** Healthy upstream instances needed for zone-aware routing (Envoy: 6). */
  readonly minClusterSize: number;
}

/** Why zone-aware routing is off for now. */
export type ZoneOffReason = 'panic' | 'too-few-instances' | 'no-local-instance' | 'single-zone';

export type ZonePlan =
  | { readonly mode: 'off'; readonly reason: ZoneOffReason }
  | { readonly mode: 'direct' }
  | {
      readonly mode: 'residual';
      /** Share of picks kept in the local zone, in (0, 1). */
      readonly localShare: number;
      /** Where the rest goes: zones with residual capacity and their share of the spill (sums to 1). */
      readonly spill: readonly { readonly zone: string; readonly share: number }[];
    };

/** The zone key of an instance: its zone, or '' when it has none. */
export const zoneKey = (zone: string | undefined): string => zone ?? '';

/** Envoy's decision for the current healthy instances per zone. Pure. */
export function planZoneRouting(config: ZoneAwareConfig, healthyPerZone: ReadonlyMap<string, number>, inPanic: boolean): ZonePlan {
  if (inPanic) return { mode: 'off', reason: 'panic' };
  let total = 0;
  for (const n of healthyPerZone.values()) total += n;
  if (total < config.minClusterSize) return { mode: 'off', reason: 'too-few-instances' };
  const local = healthyPerZone.get(config.localZone) ?? 0;
  if (local === 0) return { mode: 'off', reason: 'no-local-instance' };
  if (local === total) return { mode: 'off', reason: 'single-zone' };
  const upstreamLocal = local / total;
  const callersLocal = config.callers.get(config.localZone) ?? 0;
  if (upstreamLocal >= callersLocal) return { mode: 'direct' };
  const residuals: { zone: string; share: number }[] = [];
  let residualTotal = 0;
  for (const [zone, n] of [...healthyPerZone].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (zone === config.localZone || n === 0) continue;
    const residual = Math.max(0, n / total - (config.callers.get(zone) ?? 0));
    if (residual > 0) {
      residuals.push({ zone, share: residual });
      residualTotal += residual;
    }
  }
  // Residuals sum to callersLocal - upstreamLocal > 0, so there is somewhere to spill.
  if (residualTotal <= 0) return { mode: 'direct' };
  return {
    mode: 'residual',
    localShare: upstreamLocal / callersLocal,
    spill: residuals.map((r) => ({ zone: r.zone, share: r.share / residualTotal })),
  };
}

/**
 * A picker that applies `plan` over `endpoints`: one picker per zone (built by `build`, so the
 * strategy balances inside each zone), a random draw choosing the zone. Returns undefined when
 * the plan is off, so the caller builds its usual picker over every endpoint.
 */
export function zoneRoutedPicker<E extends StrategyEndpoint & { readonly zone: string | undefined }>(
  endpoints: readonly E[],
  plan: ZonePlan,
  localZone: string,
  build: (endpoints: E[]) => Picker<E>,
  random: () => number,
): Picker<E> | undefined {
  if (plan.mode === 'off') return undefined;
  const byZone = new Map<string, E[]>();
  for (const e of endpoints) {
    const key = zoneKey(e.zone);
    let list = byZone.get(key);
    if (!list) byZone.set(key, (list = []));
    list.push(e);
  }
  const localEndpoints = byZone.get(localZone);
  if (!localEndpoints) return undefined;
  const local = build(localEndpoints);
  if (plan.mode === 'direct') return local;
  const spill = plan.spill.flatMap((s) => {
    const list = byZone.get(s.zone);
    return list ? [{ share: s.share, picker: build(list) }] : [];
  });
  if (spill.length === 0) return local;
  const localShare = plan.localShare;
  return {
    pick(context: PickContext): E {
      if (random() < localShare) return local.pick(context);
      let r = random();
      for (const s of spill) {
        if (r < s.share) return s.picker.pick(context);
        r -= s.share;
      }
      return spill[spill.length - 1]!.picker.pick(context);
    },
  };
}

/**
 * The zone-routed picker for the healthy `endpoints` of a service not in panic, or undefined when
 * the plan is off (the caller then balances over every endpoint).
 */
export function zonePicker<E extends StrategyEndpoint & { readonly zone: string | undefined }>(
  endpoints: readonly E[],
  config: ZoneAwareConfig,
  build: (endpoints: E[]) => Picker<E>,
  random: () => number,
): Picker<E> | undefined {
  const perZone = new Map<string, number>();
  for (const e of endpoints) perZone.set(zoneKey(e.zone), (perZone.get(zoneKey(e.zone)) ?? 0) + 1);
  return zoneRoutedPicker(endpoints, planZoneRouting(config, perZone, false), config.localZone, build, random);
}
