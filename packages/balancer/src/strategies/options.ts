/**
 * Eager validation of strategy options: a bad value throws a `TypeError` naming the option.
 * The rules and wording are the config's (`config/validate.ts`).
 */
import { describeRule, obeys, show, type NumberRule } from '../config/validate.js';

export type { NumberRule };

/**
 * Returns `value`, or `fallback` when it is `undefined`; throws a `TypeError` such as
 * `leastRequest: choiceCount: expected an integer >= 2, got 1.5` otherwise.
 */
export function numberOption(
  strategy: string,
  option: string,
  value: unknown,
  fallback: number,
  rule: NumberRule,
): number {
  if (value === undefined) return fallback;
  if (obeys(value, rule)) return value;
  throw new TypeError(`${strategy}: ${option}: expected ${describeRule(rule)}, got ${show(value)}`);
}

/** Throws unless `options` is `undefined` or an object with no keys but `known` (typos fail). */
export function checkOptionsObject(strategy: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${strategy}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${strategy}: unknown option ${JSON.stringify(key)}; expected ${known.join(', ')}`);
    }
  }
}
