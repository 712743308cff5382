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
import { Invalid, isObject, JSON_MAPS, JSON_SCALARS, MAPS, ReportBuilder, SCALARS } from './report-fields.js';

/** The response header carrying the report. */
export const LOAD_HEADER = 'endpoint-load-metrics';
/** gRPC's binary header (base64 of the proto), not decoded here. */
export const LOAD_HEADER_BIN = 'endpoint-load-metrics-bin';
/** Longest header value parsed, in characters (4 KiB): a longer one is invalid unread. */
export const MAX_LOAD_HEADER_LENGTH = 4096;

/** A decimal number as protobuf text and JSON write it: no hex, no `Infinity`, no empty string. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The load report header a response sent, as one value `parseLoadHeader` reads: the first
 * `endpoint-load-metrics` value, else gRPC's `endpoint-load-metrics-bin` as the `BIN` form it is
 * (base64 of the same proto); `undefined` with neither. Shared by the request path and the HTTP
 * health check, so both read the same header the same way.
 */
export function loadHeaderValue(headers: HeaderSource): string | undefined {
  const text = readHeader(headers, LOAD_HEADER);
  if (text !== undefined) return text;
  const bin = readHeader(headers, LOAD_HEADER_BIN);
  return bin === undefined ? undefined : `BIN ${bin}`;
}

/**
 * Reads the load report of a response, if it sent one: `undefined` when neither header is
 * there. Never throws.
 */
export function readLoadReport(headers: HeaderSource): LoadReportReading | undefined {
  const value = loadHeaderValue(headers);
  return value === undefined ? undefined : parseLoadHeader(value);
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
