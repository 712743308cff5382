import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '../testing/random.js';
import {
  createStrategy,
  isStrategy,
  leastRequest,
  maglev,
  peakEwma,
  randomStrategy,
  ringHash,
  roundRobin,
  STRATEGY_NAMES as NAMES,
  weightedLeastLoad,
  weightedRoundRobin,
} from './index.js';
import type { StrategyName } from './strategy.js';
import type { TestEndpoint } from './strategies.test-helpers.js';


describe('createStrategy', () => {
  it.each(NAMES)('maps %s to a fresh strategy of that name', (name) => {
    const a = createStrategy(name);
    expect(a.name).toBe(name);
    expect(createStrategy(name)).not.toBe(a);
  });

  it('rejects an unknown name with a TypeError', () => {
    expect(() => createStrategy('fastest' as StrategyName)).toThrow(TypeError);
    expect(() => createStrategy('toString' as StrategyName)).toThrow(/unknown strategy "toString"/);
  });

  it('exports each factory under its own name', () => {
    const names = [roundRobin, weightedRoundRobin, randomStrategy, leastRequest, peakEwma, weightedLeastLoad, ringHash, maglev].map((f) => f().name);
    expect(names).toEqual(NAMES);
  });
});

describe('isStrategy', () => {
  it('accepts built-ins and any object with a string name and a build function', () => {
    for (const name of NAMES) expect(isStrategy(createStrategy(name))).toBe(true);
    expect(isStrategy({ name: 'mine', build: () => ({ pick: () => undefined }) })).toBe(true);
  });

  it.each([null, undefined, 'round-robin', 42, {}, { name: 'x' }, { build() {} }, { name: 1, build() {} }, { name: 'x', build: 'y' }])(
    'rejects %j',
    (value) => {
      expect(isStrategy(value)).toBe(false);
    },
  );
});

describe('every built-in strategy', () => {
  const endpointSets = fc
    .uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 12 }),
        weight: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.01, max: 100, noNaN: true })),
        inFlight: fc.nat({ max: 20 }),
      }),
      { minLength: 1, maxLength: 30, selector: (e) => e.id },
    )
    .map((list) => list.map((e): TestEndpoint => ({ ...e, slot: undefined })));

  it.each(NAMES)('%s returns only endpoints it was built with (property)', (name) => {
    fc.assert(
      fc.property(
        endpointSets,
        fc.array(fc.option(fc.string(), { nil: undefined }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (eps, keys, seed) => {
          const strategy = createStrategy(name);
          const picker = strategy.build(eps, { now: 0, random: seededRandom(seed) });
          let now = 0;
          for (const hashKey of keys) {
            const picked = picker.pick({ hashKey, now });
            expect(eps).toContain(picked);
            strategy.observe?.(picked, { latencyMs: hashKey?.length ?? 3, failed: now % 3 === 0, now });
            now += 7;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each(NAMES)('%s always returns a single endpoint', (name) => {
    const only: TestEndpoint = { id: 'http://10.0.0.1:80', weight: 0.5, inFlight: 3, slot: undefined };
    const picker = createStrategy(name).build([only], { now: 0, random: seededRandom(1) });
    for (const hashKey of ['a', undefined, '']) expect(picker.pick({ hashKey, now: 5 })).toBe(only);
  });

  it.each(NAMES)('%s does not mind the list it was built from changing afterwards', (name) => {
    const eps: TestEndpoint[] = ['a', 'b', 'c'].map((id) => ({ id, weight: 1, inFlight: 0, slot: undefined }));
    const picker = createStrategy(name).build(eps, { now: 0, random: seededRandom(2) });
    const built = [...eps];
    eps.length = 0;
    for (let i = 0; i < 20; i++) expect(built).toContain(picker.pick({ hashKey: `k${i}`, now: i }));
  });
});
