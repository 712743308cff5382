/** Eager validation of strategy options: a bad value throws a `TypeError` naming the option. */

export interface NumberRule {
  /** Smallest allowed value (inclusive unless `exclusiveMin`). */
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
  readonly integer?: boolean;
}

/**
 * Returns `value`, or `fallback` when it is `undefined`; throws a `TypeError` such as
 * `leastRequest: choiceCount must be an integer >= 2, got 1.5` otherwise.
 */
export function numberOption(
  strategy: string,
  option: string,
  value: unknown,
  fallback: number,
  rule: NumberRule,
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (ok) return value;
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.exclusiveMin ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  const kind = rule.integer ? 'an integer' : 'a finite number';
  throw new TypeError(`${strategy}: ${option} must be ${kind}${parts.length ? ` ${parts.join(' and ')}` : ''}, got ${show(value)}`);
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

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
