/**
 * A load report handed over by code rather than read from a response: what a custom health
 * check gives as `loadReport` (`HealthCheckResult`, `HealthCheckFailure`). Either form an
 * experienced user already has:
 *
 * - a string: an `endpoint-load-metrics` header value (`TEXT ...`, `JSON ...`), parsed exactly
 *   as the header of a response is (`orca-header.ts`), so a check that probes with its own client
 *   can pass the header on as it is;
 * - a `LoadReport` object (camelCase fields, numbers), checked against the same ranges. Unlike
 *   the JSON header (whose unknown fields protobuf's JSON parser may ignore), an unknown key is
 *   invalid: in code it is a typo (`cpu: 0.3`), and a typo must not pass as "no load".
 *
 * Never throws, whatever it is given (a getter that throws, a Proxy): the value comes from user
 * code, and a bad report is counted, never an error.
 */
import type { LoadReport, LoadReportReading } from './load-report.js';
import { parseLoadHeader } from './orca-header.js';
import { Invalid, isObject, JSON_MAPS, JSON_SCALARS, ReportBuilder } from './report-fields.js';

/** Reads a `loadReport` value (see the file comment): `undefined` when it is undefined. */
export function readLoadReportValue(value: unknown): LoadReportReading | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseLoadHeader(value);
  if (!isObject(value)) return { result: 'invalid', detail: 'loadReport: expected a LoadReport object or a header value' };
  try {
    return { result: 'accepted', report: readObject(value) };
  } catch (error) {
    return { result: 'invalid', detail: error instanceof Invalid ? error.message : 'loadReport: could not be read' };
  }
}

function readObject(value: Record<string, unknown>): LoadReport {
  const report = new ReportBuilder();
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined) continue; // an absent optional field, spelled out
    // camelCase only: the names of the `LoadReport` type.
    const scalar = JSON_SCALARS.get(name);
    if (scalar !== undefined && scalar[0] === name) {
      report.scalar(scalar[0], scalar[1], number(field, name), name);
      continue;
    }
    const map = JSON_MAPS.get(name);
    if (map === undefined || map[0] !== name) throw new Invalid('loadReport: an unknown field');
    if (!isObject(field)) throw new Invalid(`${name}: expected an object`);
    for (const [key, v] of Object.entries(field)) report.entry(map[0], map[1], key, number(v, name), name);
  }
  return report.build();
}

function number(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new Invalid(`${name}: expected a number`);
  return value;
}
