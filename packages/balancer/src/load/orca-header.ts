/**
 * ORCA load reports in HTTP response headers, read as Envoy reads them
 * (`source/common/orca/orca_parser.cc`): the `endpoint-load-metrics` header with a format prefix:
 *
 *   endpoint-load-metrics: TEXT cpu_utilization=0.3, rps_fractional=120, eps=2, named_metrics.queue=4
 *   endpoint-load-metrics: JSON {"cpu_utilization":0.3,"rps_fractional":120,"named_metrics":{"queue":4}}
 *   endpoint-load-metrics: BIN <base64 OrcaLoadReport>
 *
 * TEXT is a comma-separated list of `name=value` pairs (`name:value` too, as older Envoy wrote
 * it); the map fields are flattened with a prefix (`named_metrics.`, `utilization.`,
 * `request_cost.`). As in Envoy, an unknown name, a duplicate, an empty name or value, or a value
 * that is not a finite decimal number makes the whole header invalid. JSON is the proto's JSON
 * mapping: field names in snake_case or lowerCamelCase, numbers (or numeric strings), unknown
 * fields ignored. Ranges follow the proto's validation: utilizations >= 0 (memory and the
 * `utilization` map at most 1), rates >= 0.
 *
 * The binary forms (`BIN ` and the gRPC header `endpoint-load-metrics-bin`, which Envoy prefers
 * when both are present) are not decoded: they count as unsupported, and a text header beside
 * them is read instead. A header longer than `MAX_LOAD_HEADER_LENGTH` is not parsed at all.
 * Nothing here throws: a bad header is a reading with `result: 'invalid'`, whose `detail` names
 * known fields only, never the header's own text (header values are never echoed).
 */
import { readHeader, type HeaderSource } from '../attempt/facts.js';
import type { LoadReport, LoadReportReading } from './load-report.js';

/** The response header carrying the report. */
export const LOAD_HEADER = 'endpoint-load-metrics';
/** gRPC's binary header (base64 of the proto), not decoded here. */
export const LOAD_HEADER_BIN = 'endpoint-load-metrics-bin';
/** Longest header value parsed, in characters (4 KiB): a longer one is invalid unread. */
export const MAX_LOAD_HEADER_LENGTH = 4096;

type Scalar = 'cpuUtilization' | 'memUtilization' | 'applicationUtilization' | 'rpsFractional' | 'eps';
type MapField = 'namedMetrics' | 'utilization' | 'requestCost';
interface Range {
  readonly min: number;
  readonly max: number;
}

const AT_LEAST_0: Range = { min: 0, max: Infinity };
const FRACTION: Range = { min: 0, max: 1 };
const ANY: Range = { min: -Infinity, max: Infinity };

/** Scalar fields by wire name (snake_case; JSON also accepts the camelCase name). */
const SCALARS: ReadonlyMap<string, readonly [Scalar, Range]> = new Map([
  ['cpu_utilization', ['cpuUtilization', AT_LEAST_0]],
  ['mem_utilization', ['memUtilization', FRACTION]],
  ['application_utilization', ['applicationUtilization', AT_LEAST_0]],
  ['rps_fractional', ['rpsFractional', AT_LEAST_0]],
  ['eps', ['eps', AT_LEAST_0]],
]);
const MAPS: ReadonlyMap<string, readonly [MapField, Range]> = new Map([
  ['named_metrics', ['namedMetrics', ANY]],
  ['utilization', ['utilization', FRACTION]],
  ['request_cost', ['requestCost', ANY]],
]);
/** JSON names: both spellings of each field. */
const JSON_SCALARS = new Map([...SCALARS, ...[...SCALARS.values()].map((f) => [f[0], f] as const)]);
const JSON_MAPS = new Map([...MAPS, ...[...MAPS.values()].map((f) => [f[0], f] as const)]);

/** A decimal number as protobuf text and JSON write it: no hex, no `Infinity`, no empty string. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

class Invalid extends Error {}

/**
 * Reads the load report of a response, if it sent one: `undefined` when neither header is
 * there. Never throws.
 */
export function readLoadReport(headers: HeaderSource): LoadReportReading | undefined {
  const text = readHeader(headers, LOAD_HEADER);
  if (text !== undefined) return parseLoadHeader(text);
  if (readHeader(headers, LOAD_HEADER_BIN) !== undefined) return { result: 'unsupported', detail: `${LOAD_HEADER_BIN} (binary) is not decoded` };
  return undefined;
}

/** Parses one `endpoint-load-metrics` value (see the file comment). Never throws. */
export function parseLoadHeader(value: string): LoadReportReading {
  if (typeof value !== 'string') return { result: 'invalid', detail: 'not a string' };
  if (value.length > MAX_LOAD_HEADER_LENGTH) return { result: 'invalid', detail: `longer than ${MAX_LOAD_HEADER_LENGTH} characters` };
  try {
    if (value.startsWith('TEXT ')) return { result: 'accepted', report: parseText(value.slice(5)) };
    if (value.startsWith('JSON ')) return { result: 'accepted', report: parseJson(value.slice(5)) };
    if (value.startsWith('BIN ')) return { result: 'unsupported', detail: 'BIN (binary) reports are not decoded' };
    return { result: 'invalid', detail: 'no TEXT, JSON or BIN prefix' };
  } catch (error) {
    if (error instanceof Invalid) return { result: 'invalid', detail: error.message };
    throw error;
  }
}

/** Collects fields, refusing duplicates, then freezes them into a report. */
class ReportBuilder {
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

function inRange(value: number, range: Range, name: string): number {
  if (!Number.isFinite(value)) throw new Invalid(`${name}: not a finite number`);
  if (value < range.min || value > range.max) throw new Invalid(`${name}: out of range [${range.min}, ${range.max}]`);
  return value;
}

function decimal(text: string, name: string): number {
  if (!DECIMAL.test(text)) throw new Invalid(`${name}: not a number`);
  return Number(text);
}

function parseText(body: string): LoadReport {
  const report = new ReportBuilder();
  for (const raw of body.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue; // HTTP list syntax allows empty elements
    const eq = pair.indexOf('=');
    const at = eq >= 0 ? eq : pair.indexOf(':');
    if (at < 0) throw new Invalid('a pair without "="');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (name === '' || value === '') throw new Invalid('a pair with an empty name or value');
    const scalar = SCALARS.get(name);
    if (scalar !== undefined) {
      report.scalar(scalar[0], scalar[1], decimal(value, name), name);
      continue;
    }
    const dot = name.indexOf('.');
    const prefix = dot > 0 ? name.slice(0, dot) : '';
    const map = MAPS.get(prefix);
    if (map === undefined) throw new Invalid('an unknown metric name');
    report.entry(map[0], map[1], name.slice(dot + 1), decimal(value, prefix), prefix);
  }
  return report.build();
}

function parseJson(body: string): LoadReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Invalid('not JSON');
  }
  if (!isObject(parsed)) throw new Invalid('JSON: expected an object');
  const report = new ReportBuilder();
  for (const [name, value] of Object.entries(parsed)) {
    const scalar = JSON_SCALARS.get(name);
    if (scalar !== undefined) {
      report.scalar(scalar[0], scalar[1], jsonNumber(value, name), scalar[0]);
      continue;
    }
    const map = JSON_MAPS.get(name);
    if (map === undefined) continue; // unknown fields are ignored, as protobuf's JSON parser may
    if (!isObject(value)) throw new Invalid(`${name}: expected an object`);
    for (const [key, v] of Object.entries(value)) report.entry(map[0], map[1], key, jsonNumber(v, name), name);
  }
  return report.build();
}

/** A JSON number, or a numeric string (the proto JSON mapping allows both). */
function jsonNumber(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return decimal(value, name);
  throw new Invalid(`${name}: expected a number`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
