/**
 * Validates the balancer's `zone` and a service's `zoneAware` option into a `ZoneAwareConfig`
 * (see `zones/zone-routing.ts`).
 */
import type { ZoneAwareConfig } from '../zones/zone-routing.js';
import type { Issues} from './validate.js';
import { isPlainObject, obeys, readNumber, readObject, show } from './validate.js';

/** Envoy's `min_cluster_size` default. */
export const DEFAULT_MIN_CLUSTER_SIZE = 6;

/** Reads the balancer's `zone` (the caller's zone): a non-empty string, or absent. */
export function resolveZone(value: unknown, issues: Issues): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= 128) return value;
  issues.add('zone', `expected the caller's zone, a non-empty string of at most 128 characters, got ${show(value)}`);
  return undefined;
}

export function resolveZoneAware(value: unknown, path: string, zone: string | undefined, issues: Issues): ZoneAwareConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const o = readObject(value, path, issues, ['callers', 'minClusterSize']);
  if (!o) return undefined;
  const minClusterSize = readNumber(o.minClusterSize, `${path}.minClusterSize`, issues, { min: 1, integer: true }, DEFAULT_MIN_CLUSTER_SIZE);
  if (zone === undefined) issues.add(path, "expected the balancer's zone (the caller's zone) to be set, got nothing");
  const callersPath = `${path}.callers`;
  if (!isPlainObject(o.callers)) {
    issues.add(callersPath, `expected callers per zone, e.g. { "a": 40, "b": 20 }, got ${show(o.callers)}`);
    return undefined;
  }
  const counts = new Map<string, number>();
  let sum = 0;
  for (const [z, n] of Object.entries(o.callers)) {
    if (!obeys(n, { min: 0 })) {
      issues.add(`${callersPath}.${z}`, `expected a number of callers >= 0, got ${show(n)}`);
      continue;
    }
    counts.set(z, n);
    sum += n;
  }
  if (zone !== undefined && !((counts.get(zone) ?? 0) > 0)) {
    issues.add(callersPath, `expected callers in the balancer's own zone "${zone}", got ${show(o.callers[zone])}`);
  }
  if (zone === undefined || sum <= 0 || !((counts.get(zone) ?? 0) > 0)) return undefined;
  const callers = new Map([...counts].map(([z, n]) => [z, n / sum] as const));
  return Object.freeze({ localZone: zone, callers, minClusterSize });
}
