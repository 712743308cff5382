/**
 * Small readers that validate one option each, record every problem with its path, and return
 * the default when the value is absent. Absent means `undefined` only: zero, `false` and `''`
 * are values (defaults are applied with `??`, never `||`).
 */
import type { ConfigIssue } from '../errors.js';
import { redactUrl } from '../redact.js';

export class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

/**
 * Renders a value for an error message: `-5`, `"abc"`, `an array`, `null`. Strings are
 * redacted (`"http://***@10.0.0.5"`) before they are cut to 80 characters, so that cutting can
 * never keep a secret whose `@` it dropped.
 */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const text = redactUrl(value);
      return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return String(value);
  }
}

/** A key that reads well after a dot: `services.orders.internal.retry`. */
const PLAIN_KEY = /^[A-Za-z0-9_$-][A-Za-z0-9_$.-]{0,252}$/;

/**
 * The path of `key` under `parent`: `parent.key`, or `parent["x user"]` for a key that is empty,
 * long or holds other characters (shown like any string: quoted, redacted, cut), so a key can
 * neither break the one-line-per-issue message nor leak a secret.
 */
export function keyPath(parent: string, key: string): string {
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${show(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `value` is a plain object whose keys are all in `known`. Returns the object, or
 * undefined (with an issue) when it is not an object. Unknown keys are reported (typos such as
 * `intervalMS` would otherwise be silently ignored).
 */
export function readObject(
  value: unknown,
  path: string,
  issues: Issues,
  known: readonly string[],
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.add(path, `expected an object, got ${show(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) issues.add(keyPath(path, key), `unknown option (known: ${known.join(', ')})`);
  }
  return value;
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** When true, `min` itself is not allowed. */
  readonly exclusiveMin?: boolean;
}

/** `a positive integer`, `an integer >= 1 and <= 100`... */
export function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'integer' : 'number';
  if (rule.min === 0 && rule.exclusiveMin && rule.max === undefined) return `a positive ${kind}`;
  if (rule.min === 0 && !rule.exclusiveMin && rule.max === undefined) return `a non-negative ${kind}`;
  const lo = rule.min === undefined ? '' : `${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  const hi = rule.max === undefined ? '' : `<= ${rule.max}`;
  return `${rule.integer ? 'an integer' : 'a number'} ${[lo, hi].filter(Boolean).join(' and ')}`.trim();
}

/** Whether `value` is a finite number obeying `rule`. */
export function obeys(value: unknown, rule: NumberRule): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max)
  );
}

/** Reads a finite number obeying `rule`; returns `fallback` when absent or invalid. */
export function readNumber(value: unknown, path: string, issues: Issues, rule: NumberRule, fallback: number): number {
  if (value === undefined) return fallback;
  if (!obeys(value, rule)) {
    issues.add(path, `expected ${describeRule(rule)}, got ${show(value)}`);
    return fallback;
  }
  return value;
}

/** Durations in ms: non-negative integers (`positive` forbids 0). */
export function readMs(value: unknown, path: string, issues: Issues, fallback: number, positive = false): number {
  const ms = readNumber(value, path, issues, { min: 0, integer: true, exclusiveMin: positive }, fallback);
  if (ms > MAX_MS) {
    issues.add(path, `expected at most ${MAX_MS} ms (about 24.8 days), got ${ms}`);
    return fallback;
  }
  return ms;
}

/** Longest delay Node timers support. */
const MAX_MS = 2_147_483_647;

/** Percentages from 0 to 100. */
export function readPercent(value: unknown, path: string, issues: Issues, fallback: number): number {
  return readNumber(value, path, issues, { min: 0, max: 100 }, fallback);
}

export function readBoolean(value: unknown, path: string, issues: Issues, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    issues.add(path, `expected true or false, got ${show(value)}`);
    return fallback;
  }
  return value;
}

export function readEnum<T extends string>(
  value: unknown,
  path: string,
  issues: Issues,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    issues.add(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(value)}`);
    return fallback;
  }
  return value as T;
}

export function readString(value: unknown, path: string, issues: Issues, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    issues.add(path, `expected a non-empty string, got ${show(value)}`);
    return fallback;
  }
  return value;
}
