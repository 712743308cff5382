/**
 * What users break, for the options arbitraries (`options.test-helpers.ts`): loggers and meter
 * providers that are not what they claim (or throw), and a valid template with one field, at any
 * depth, replaced by a wrong value.
 */
import { createNoopMeter } from '@opentelemetry/api';
import fc from 'fast-check';
import { secretArb, weird } from './options-values.test-helpers.js';

const noop = (): void => {};

/** Loggers whose `child` returns nothing or a non-logger, or throws; one without `warn`. */
export const brokenLoggers: unknown[] = [
  { debug: noop, info: noop, warn: noop, error: noop, child: () => undefined },
  { debug: noop, info: noop, warn: noop, error: noop, child: () => ({}) },
  {
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    child: () => {
      throw new Error('no children');
    },
  },
  { debug: noop, info: noop, error: noop, child: noop },
];

/** Meter providers that are not one, or whose meter is not one or throws. */
export const brokenMeterProvider: fc.Arbitrary<unknown> = fc.oneof(
  weird,
  fc.constant({}),
  fc.constant({ getMeter: () => undefined }),
  fc.constant({ getMeter: () => ({ createCounter: noop }) }),
  fc.constant({
    getMeter: () => ({
      ...createNoopMeter(),
      createHistogram: () => {
        throw new Error('histograms are off');
      },
    }),
  }),
  secretArb.map((s) => ({
    getMeter: () => {
      throw new Error(`exporter http://otel:${s}@collector refused`);
    },
  })),
);

/** A working meter provider, sometimes a broken one. */
export const meterProvider: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ getMeter: () => createNoopMeter() }) },
  { weight: 1, arbitrary: brokenMeterProvider },
);

/** Plain data: an object whose prototype is `Object.prototype` or null (fast-check makes both). */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Copies plain objects and arrays (the rest is shared), so a copy can be changed safely. */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (isPlain(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)]));
  }
  return value;
}

/** Replaces the `n`-th field (counting every nested key of plain objects and arrays) by `value`. */
export function replaceNth(template: Record<string, unknown>, n: number, value: unknown): Record<string, unknown> {
  const copy = copyPlain(template) as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
    else if (isPlain(node)) {
      for (const [k, v] of Object.entries(node)) {
        slots.push([node, k]);
        walk(v);
      }
    }
  };
  walk(copy);
  const [container, key] = slots[n % slots.length]!;
  (container as Record<string | number, unknown>)[key] = value;
  return copy;
}
