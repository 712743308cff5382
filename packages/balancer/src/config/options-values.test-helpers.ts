/**
 * The value kit of the options arbitraries (`options.test-helpers.ts`): generated secrets, values
 * of the wrong kind, and builders of fields and sections that are strict (every value valid,
 * boundaries included) or edgy (also absent, wrong, just past a boundary, with unknown keys).
 */
import fc from 'fast-check';

/** Every generated secret starts with this. */
export const SECRET_MARK = 'Zk7secret';

/** A generated secret. */
export const secretArb = fc.integer({ min: 36 ** 3, max: 36 ** 7 }).map((n) => `${SECRET_MARK}${n.toString(36)}`);

/** Values of the wrong kind for almost any field. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 0.5, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, Number.MIN_VALUE, '', '5', 'NaN', ' ', [], {}),
  fc.constant(() => 1),
  fc.constant(Symbol('weird')),
  fc.constant(10n),
  fc.constant(new Date(0)),
  fc.constant(new Map()),
  fc.constant(Object.create(null) as object),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);

/** Builders of option values, strict or edgy. */
export function valueKit(strict: boolean) {
  /** Valid values, plus in edgy mode values just past the boundaries. */
  const pick = <T>(valid: readonly T[], edges: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...valid, ...(strict ? [] : edges));
  const or = <T>(valid: fc.Arbitrary<T>, edges: fc.Arbitrary<T>): fc.Arbitrary<T> => (strict ? valid : fc.oneof(valid, edges));
  /** A field: valid, or (edgy) something wrong; `section` decides whether it is there. */
  const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => (strict ? valid : fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: weird }));
  /** A record whose fields are each present or not, plus (edgy) sometimes an unknown key. */
  const section = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = []): fc.Arbitrary<Record<string, unknown>> => {
    const record = fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
    if (strict) return record;
    return fc.tuple(record, fc.option(fc.constantFrom('intervalMS', 'constructor', 'x y', '', 'maxRetrys'), { freq: 8 })).map(([r, extra]) => (extra === null ? r : { ...r, [extra]: 1 }));
  };
  const either = (...values: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> => fc.oneof(...values, ...(strict ? [] : [weird]));

  const ms = or(fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constant(2 ** 31 - 1)), fc.constantFrom(2 ** 31, -1, 0.5));
  const positiveMs = or(fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.constant(2 ** 31 - 1)), fc.constantFrom(0, 2 ** 31));
  const percent = or(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })), fc.constantFrom(101, -0.5));
  const int = (min: number, max: number) => or(fc.integer({ min, max }), fc.constantFrom(min - 1, max + 1, min + 0.5));
  const real = (min: number, max: number) => or(fc.double({ min, max, noNaN: true, minExcluded: true }), fc.constantFrom(min, max * 2, Number.NaN));
  return { pick, or, field, section, either, ms, positiveMs, percent, int, real };
}

export type ValueKit = ReturnType<typeof valueKit>;
