import type { HealthCheckConfig } from './config.js';
import type { HealthCheckFunction } from '../health/check.js';
import type { Issues } from './validate.js';
import { isPlainObject, keyPath, readBoolean, readEnum, readMs, readNumber, readObject, readPercent, readString, show } from './validate.js';
import { headerNameProblem, headerValueProblem, methodProblem, pathProblem } from './http-rules.js';

export const HEALTH_DEFAULTS = {
  path: '/health',
  method: 'GET',
  expectedStatuses: [[200, 299]] as const,
  intervalMs: 5_000,
  timeoutMs: 1_000,
  jitterPercent: 10,
  unhealthyThreshold: 3,
  healthyThreshold: 2,
  maxBodyBytes: 65_536,
  maxConcurrent: 16,
  unejectOnPass: true,
  initialState: 'healthy',
} as const;

const KNOWN = [
  'path',
  'method',
  'headers',
  'expectedStatuses',
  'intervalMs',
  'unhealthyIntervalMs',
  'timeoutMs',
  'jitterPercent',
  'unhealthyThreshold',
  'healthyThreshold',
  'maxBodyBytes',
  'maxConcurrent',
  'unejectOnPass',
  'initialState',
  'check',
];

function statusRanges(value: unknown, path: string, issues: Issues): [number, number][] {
  if (value === undefined) return HEALTH_DEFAULTS.expectedStatuses.map(([a, b]) => [a, b]);
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(path, `expected a non-empty array of statuses or [from, to] ranges, got ${show(value)}`);
    return [[200, 299]];
  }
  const ranges: [number, number][] = [];
  const isStatus = (s: unknown): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599;
  value.forEach((item: unknown, i) => {
    if (isStatus(item)) ranges.push([item, item]);
    else if (Array.isArray(item) && item.length === 2 && isStatus(item[0]) && isStatus(item[1]) && item[0] <= item[1]) {
      ranges.push([item[0], item[1]]);
    } else issues.add(`${path}[${i}]`, `expected a status (100-599) or a [from, to] range, got ${show(item)}`);
  });
  return ranges;
}

export function resolveHealthCheck(value: unknown, path: string, issues: Issues): HealthCheckConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const d = HEALTH_DEFAULTS;
  const o = readObject(value, path, issues, KNOWN) ?? {};
  const checkPath = readString(o.path, `${path}.path`, issues, d.path);
  if (!checkPath.startsWith('/')) issues.add(`${path}.path`, `expected a path starting with "/", got ${show(checkPath)}`);
  else {
    const problem = pathProblem(checkPath);
    if (problem) issues.add(`${path}.path`, problem);
  }
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (!isPlainObject(o.headers)) issues.add(`${path}.headers`, `expected an object of strings, got ${show(o.headers)}`);
    else {
      for (const [k, v] of Object.entries(o.headers)) {
        const at = keyPath(`${path}.headers`, k);
        // Header values are never shown: a bad one is often a token with a stray newline.
        const problem = typeof v === 'string' ? (headerNameProblem(k) ?? headerValueProblem(k, v)) : `expected a string, got ${show(v)}`;
        if (problem) issues.add(at, problem);
        else headers[k] = v as string;
      }
    }
  }
  if (o.check !== undefined && typeof o.check !== 'function') {
    issues.add(`${path}.check`, `expected a function (target, signal) => Promise<void>, got ${show(o.check)}`);
  }
  const intervalMs = readMs(o.intervalMs, `${path}.intervalMs`, issues, d.intervalMs, true);
  const method = readString(o.method, `${path}.method`, issues, d.method);
  const methodIssue = methodProblem(method);
  if (methodIssue) issues.add(`${path}.method`, methodIssue);
  return {
    path: checkPath,
    method: method.toUpperCase(),
    headers,
    expectedStatuses: statusRanges(o.expectedStatuses, `${path}.expectedStatuses`, issues),
    intervalMs,
    unhealthyIntervalMs: readMs(o.unhealthyIntervalMs, `${path}.unhealthyIntervalMs`, issues, intervalMs, true),
    timeoutMs: readMs(o.timeoutMs, `${path}.timeoutMs`, issues, d.timeoutMs, true),
    jitterPercent: readPercent(o.jitterPercent, `${path}.jitterPercent`, issues, d.jitterPercent),
    unhealthyThreshold: readNumber(o.unhealthyThreshold, `${path}.unhealthyThreshold`, issues, { min: 1, max: 1000, integer: true }, d.unhealthyThreshold),
    healthyThreshold: readNumber(o.healthyThreshold, `${path}.healthyThreshold`, issues, { min: 1, max: 1000, integer: true }, d.healthyThreshold),
    maxBodyBytes: readNumber(o.maxBodyBytes, `${path}.maxBodyBytes`, issues, { min: 0, max: 16 * 1024 * 1024, integer: true }, d.maxBodyBytes),
    maxConcurrent: readNumber(o.maxConcurrent, `${path}.maxConcurrent`, issues, { min: 1, max: 10_000, integer: true }, d.maxConcurrent),
    unejectOnPass: readBoolean(o.unejectOnPass, `${path}.unejectOnPass`, issues, d.unejectOnPass),
    initialState: readEnum(o.initialState, `${path}.initialState`, issues, ['healthy', 'unhealthy'], d.initialState),
    check: typeof o.check === 'function' ? (o.check as HealthCheckFunction) : undefined,
  };
}
