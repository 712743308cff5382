import type { DetectorConfig, OutlierDetectionConfig } from './config.js';
import type { Issues} from './validate.js';
import { readMs, readNumber, readObject, readPercent } from './validate.js';

/** Envoy's defaults, see the README's configuration table. */
export const OUTLIER_DEFAULTS = {
  consecutiveFailures: { threshold: 5, enforcingPercent: 100 },
  consecutiveGatewayFailures: { threshold: 5, enforcingPercent: 0 },
  successRate: { minimumHosts: 5, requestVolume: 100, stdevFactor: 1.9, enforcingPercent: 100 },
  failurePercentage: { threshold: 85, minimumHosts: 5, requestVolume: 50, enforcingPercent: 0 },
  intervalMs: 10_000,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  ejectionJitterMs: 0,
  maxEjectionPercent: 33,
} as const;

/** A number where a detector object is expected is its threshold: `5` reads as `{ threshold: 5 }`. */
function thresholdShorthand(value: unknown): unknown {
  return typeof value === 'number' ? { threshold: value } : value;
}

function detector(value: unknown, path: string, issues: Issues, defaults: DetectorConfig): DetectorConfig | undefined {
  if (value === false) return undefined;
  if (value === undefined) return defaults;
  const o = readObject(thresholdShorthand(value), path, issues, ['threshold', 'enforcingPercent']);
  if (!o) return defaults;
  return {
    // A bad shorthand is reported where the user wrote it.
    threshold: readNumber(o.threshold, typeof value === 'number' ? path : `${path}.threshold`, issues, { min: 1, max: 1_000_000, integer: true }, defaults.threshold),
    enforcingPercent: readPercent(o.enforcingPercent, `${path}.enforcingPercent`, issues, defaults.enforcingPercent),
  };
}

export function resolveOutlierDetection(value: unknown, path: string, issues: Issues): OutlierDetectionConfig | undefined {
  if (value === false) return undefined;
  const d = OUTLIER_DEFAULTS;
  const o =
    value === undefined
      ? {}
      : readObject(value, path, issues, [
          'consecutiveFailures',
          'consecutiveGatewayFailures',
          'successRate',
          'failurePercentage',
          'intervalMs',
          'baseEjectionMs',
          'maxEjectionMs',
          'ejectionJitterMs',
          'maxEjectionPercent',
        ]) ?? {};

  let successRate: OutlierDetectionConfig['successRate'] = d.successRate;
  if (o.successRate === false) successRate = undefined;
  else if (o.successRate !== undefined) {
    const p = `${path}.successRate`;
    const s = readObject(o.successRate, p, issues, ['minimumHosts', 'requestVolume', 'stdevFactor', 'enforcingPercent']) ?? {};
    successRate = {
      minimumHosts: readNumber(s.minimumHosts, `${p}.minimumHosts`, issues, { min: 1, integer: true, max: 100_000 }, d.successRate.minimumHosts),
      requestVolume: readNumber(s.requestVolume, `${p}.requestVolume`, issues, { min: 1, integer: true, max: 1e9 }, d.successRate.requestVolume),
      stdevFactor: readNumber(s.stdevFactor, `${p}.stdevFactor`, issues, { min: 0, exclusiveMin: true, max: 100 }, d.successRate.stdevFactor),
      enforcingPercent: readPercent(s.enforcingPercent, `${p}.enforcingPercent`, issues, d.successRate.enforcingPercent),
    };
  }

  let failurePercentage: OutlierDetectionConfig['failurePercentage'] = d.failurePercentage;
  if (o.failurePercentage === false) failurePercentage = undefined;
  else if (o.failurePercentage !== undefined) {
    const p = `${path}.failurePercentage`;
    const f = readObject(thresholdShorthand(o.failurePercentage), p, issues, ['threshold', 'minimumHosts', 'requestVolume', 'enforcingPercent']) ?? {};
    failurePercentage = {
      threshold: readPercent(f.threshold, typeof o.failurePercentage === 'number' ? p : `${p}.threshold`, issues, d.failurePercentage.threshold),
      minimumHosts: readNumber(f.minimumHosts, `${p}.minimumHosts`, issues, { min: 1, integer: true, max: 100_000 }, d.failurePercentage.minimumHosts),
      requestVolume: readNumber(f.requestVolume, `${p}.requestVolume`, issues, { min: 1, integer: true, max: 1e9 }, d.failurePercentage.requestVolume),
      enforcingPercent: readPercent(f.enforcingPercent, `${p}.enforcingPercent`, issues, d.failurePercentage.enforcingPercent),
    };
  }

  const baseEjectionMs = readMs(o.baseEjectionMs, `${path}.baseEjectionMs`, issues, d.baseEjectionMs, true);
  const maxEjectionMs = readMs(o.maxEjectionMs, `${path}.maxEjectionMs`, issues, Math.max(d.maxEjectionMs, baseEjectionMs), true);
  if (maxEjectionMs < baseEjectionMs) {
    issues.add(`${path}.maxEjectionMs`, `expected at least baseEjectionMs (${baseEjectionMs}), got ${maxEjectionMs}`);
  }
  return {
    consecutiveFailures: detector(o.consecutiveFailures, `${path}.consecutiveFailures`, issues, d.consecutiveFailures),
    consecutiveGatewayFailures: detector(
      o.consecutiveGatewayFailures,
      `${path}.consecutiveGatewayFailures`,
      issues,
      d.consecutiveGatewayFailures,
    ),
    successRate,
    failurePercentage,
    intervalMs: readMs(o.intervalMs, `${path}.intervalMs`, issues, d.intervalMs, true),
    baseEjectionMs,
    maxEjectionMs,
    ejectionJitterMs: readMs(o.ejectionJitterMs, `${path}.ejectionJitterMs`, issues, d.ejectionJitterMs),
    maxEjectionPercent: readPercent(o.maxEjectionPercent, `${path}.maxEjectionPercent`, issues, d.maxEjectionPercent),
  };
}
