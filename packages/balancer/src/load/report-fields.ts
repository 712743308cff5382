/**
 * The fields of a load report (ORCA's `OrcaLoadReport`) and their ranges, shared by every way a
 * report arrives: the `endpoint-load-metrics` header (`orca-header.ts`) and a report a custom
 * health check hands over as an object (`report-value.ts`). Ranges follow the proto's
 * validation: utilizations >= 0 (memory and the `utilization` map at most 1), rates >= 0.
 */
import type { LoadReport } from './load-report.js';

export type Scalar = 'cpuUtilization' | 'memUtilization' | 'applicationUtilization' | 'rpsFractional' | 'eps';
export type MapField = 'namedMetrics' | 'utilization' | 'requestCost';
export interface Range {
  readonly min: number;
  readonly max: number;
}

const AT_LEAST_0: Range = { min: 0, max: Infinity };
const FRACTION: Range = { min: 0, max: 1 };
const ANY: Range = { min: -Infinity, max: Infinity };

/** Scalar fields by wire name (snake_case; JSON also accepts the camelCase name). */
export const SCALARS: ReadonlyMap<string, readonly [Scalar, Range]> = new Map([
  ['cpu_utilization', ['cpuUtilization', AT_LEAST_0]],
  ['mem_utilization', ['memUtilization', FRACTION]],
  ['application_utilization', ['applicationUtilization', AT_LEAST_0]],
  ['rps_fractional', ['rpsFractional', AT_LEAST_0]],
  ['eps', ['eps', AT_LEAST_0]],
]);
export const MAPS: ReadonlyMap<string, readonly [MapField, Range]> = new Map([
  ['named_metrics', ['namedMetrics', ANY]],
  ['utilization', ['utilization', FRACTION]],
  ['request_cost', ['requestCost', ANY]],
]);
/** JSON names: both spellings of each field. */
export const JSON_SCALARS = new Map([...SCALARS, ...[...SCALARS.values()].map((f) => [f[0], f] as const)]);
export const JSON_MAPS = new Map([...MAPS, ...[...MAPS.values()].map((f) => [f[0], f] as const)]);

/** Why a report is invalid; its message names known fields only, never the report's own text. */
export class Invalid extends Error {}

/** Collects fields, refusing duplicates, then freezes them into a report. */
export class ReportBuilder {
  readonly #scalars = new Map<Scalar, number>();
  readonly #maps = new Map<MapField, Map<string, number>>();

  scalar(field: Scalar, range: Range, value: number, name: string): void {
    if (this.#scalars.has(field)) throw new Invalid(`${name} given twice`);
    this.#scalars.set(field, inRange(value, range, name));
  }

  /** An entry of a map field; `name` says which map (`named_metrics`), never the key. */
  entry(field: MapField, range: Range, key: string, value: number, name: string): void {
    if (key === '') throw new Invalid(`${name}: empty metric name`);
    let map = this.#maps.get(field);
    if (map === undefined) this.#maps.set(field, (map = new Map()));
    if (map.has(key)) throw new Invalid(`${name}: a metric given twice`);
    map.set(key, inRange(value, range, name));
  }

  build(): LoadReport {
    const report: Record<string, unknown> = {};
    for (const [field, value] of this.#scalars) report[field] = value;
    // Object.fromEntries defines own properties: a metric named `__proto__` stays a metric.
    for (const [field, map] of this.#maps) report[field] = Object.freeze(Object.fromEntries(map));
    return Object.freeze(report) as LoadReport;
  }
}

export function inRange(value: number, range: Range, name: string): number {
  if (!Number.isFinite(value)) throw new Invalid(`${name}: not a finite number`);
  if (value < range.min || value > range.max) throw new Invalid(`${name}: out of range [${range.min}, ${range.max}]`);
  return value;
}

/** True for a plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
