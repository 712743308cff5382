import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import type { Picker, StrategyEndpoint } from '../strategies/strategy.js';
import { planZoneRouting, zonePicker, zoneRoutedPicker, type ZoneAwareConfig, type ZonePlan } from './zone-routing.js';

const config = (localZone: string, callers: Record<string, number>, minClusterSize = 6): ZoneAwareConfig => {
  const sum = Object.values(callers).reduce((a, b) => a + b, 0);
  return { localZone, callers: new Map(Object.entries(callers).map(([z, n]) => [z, n / sum])), minClusterSize };
};
const counts = (c: Record<string, number>) => new Map(Object.entries(c));

/** [name, local zone, callers per zone, healthy instances per zone, plan] */
const PLANS: [string, string, Record<string, number>, Record<string, number>, ZonePlan][] = [
  ['same spread: all local', 'a', { a: 1, b: 1, c: 1 }, { a: 4, b: 4, c: 4 }, { mode: 'direct' }],
  ['more instances than callers locally: all local', 'a', { a: 1, b: 1 }, { a: 6, b: 2 }, { mode: 'direct' }],
  [
    'fewer instances than callers locally: a share stays, the rest spills by residual',
    'a',
    { a: 50, b: 25, c: 25 },
    { a: 5, b: 10, c: 5 },
    // upstream a 25% vs callers 50%: 50% stays; residual b = 50% - 25% = 25%, c = 25% - 25% = 0.
    { mode: 'residual', localShare: 0.5, spill: [{ zone: 'b', share: 1 }] },
  ],
  [
    'residual split over two zones',
    'a',
    { a: 60, b: 20, c: 20 },
    { a: 2, b: 4, c: 4 },
    // upstream a 20% vs 60%: a third stays; residuals b 20%, c 20%: half each.
    { mode: 'residual', localShare: 1 / 3, spill: [{ zone: 'b', share: 0.5 }, { zone: 'c', share: 0.5 }] },
  ],
  [
    'a zone no caller is in takes the spill',
    'a',
    { a: 1, b: 1 },
    { a: 2, b: 2, c: 4 },
    // upstream a 25% vs 50%: half stays; residual b 25% - 50% < 0, c 50%.
    { mode: 'residual', localShare: 0.5, spill: [{ zone: 'c', share: 1 }] },
  ],
  ['below the minimum cluster size: off', 'a', { a: 1, b: 1 }, { a: 2, b: 3 }, { mode: 'off', reason: 'too-few-instances' }],
  ['no healthy local instance: off', 'a', { a: 1, b: 1 }, { b: 8 }, { mode: 'off', reason: 'no-local-instance' }],
  ['one zone only: off', 'a', { a: 1, b: 1 }, { a: 8 }, { mode: 'off', reason: 'single-zone' }],
];

describe('planZoneRouting', () => {
  it.each(PLANS)('%s', (_name, local, callers, healthy, plan) => {
    const got = planZoneRouting(config(local, callers), counts(healthy), false);
    if (plan.mode === 'residual' && got.mode === 'residual') {
      expect(got.localShare).toBeCloseTo(plan.localShare, 12);
      expect(got.spill.map((s) => s.zone)).toEqual(plan.spill.map((s) => s.zone));
      got.spill.forEach((s, i) => expect(s.share).toBeCloseTo(plan.spill[i]!.share, 12));
    } else expect(got).toEqual(plan);
  });

  it('is off in panic', () => {
    expect(planZoneRouting(config('a', { a: 1 }), counts({ a: 5, b: 5 }), true)).toEqual({ mode: 'off', reason: 'panic' });
  });

  it('honours a custom minimum cluster size', () => {
    expect(planZoneRouting(config('a', { a: 1, b: 1 }, 2), counts({ a: 1, b: 1 }), false)).toEqual({ mode: 'direct' });
  });
});

interface E extends StrategyEndpoint {
  readonly zone: string | undefined;
}
const endpoints = (perZone: Record<string, number>): E[] =>
  Object.entries(perZone).flatMap(([zone, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${zone}-${i}`, zone: zone === '-' ? undefined : zone, weight: 1, inFlight: 0, slot: undefined })),
  );
/** A round-robin picker, so each zone's share can be counted exactly. */
const roundRobin = (list: E[]): Picker<E> => {
  let i = 0;
  return { pick: () => list[i++ % list.length]! };
};

describe('zoneRoutedPicker', () => {
  it('sends the planned shares to each zone and balances inside it', () => {
    const all = endpoints({ a: 5, b: 10, c: 5 });
    const cfg = config('a', { a: 50, b: 25, c: 25 });
    const picker = zonePicker(all, cfg, roundRobin, seededRandom(3))!;
    const byZone: Record<string, number> = {};
    const byId: Record<string, number> = {};
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const e = picker.pick({ hashKey: undefined, now: 0 });
      byZone[e.zone ?? '-'] = (byZone[e.zone ?? '-'] ?? 0) + 1;
      byId[e.id] = (byId[e.id] ?? 0) + 1;
    }
    expect(byZone.a! / n).toBeCloseTo(0.5, 1);
    expect(byZone.b! / n).toBeCloseTo(0.5, 1);
    expect(byZone.c).toBeUndefined();
    expect(Math.max(...['a-0', 'a-1', 'a-4'].map((id) => byId[id]!)) - Math.min(...['a-0', 'a-1', 'a-4'].map((id) => byId[id]!))).toBeLessThanOrEqual(1);
  });

  it('direct: only local endpoints; off: undefined (the caller balances over all)', () => {
    const all = endpoints({ a: 4, b: 4, '-': 2 });
    const direct = zoneRoutedPicker(all, { mode: 'direct' }, 'a', roundRobin, seededRandom(1))!;
    for (let i = 0; i < 20; i++) expect(direct.pick({ hashKey: undefined, now: 0 }).zone).toBe('a');
    expect(zoneRoutedPicker(all, { mode: 'off', reason: 'panic' }, 'a', roundRobin, seededRandom(1))).toBeUndefined();
  });

  it('instances without a zone are a zone of their own that takes spill', () => {
    const all = endpoints({ a: 2, '-': 6 });
    const picker = zonePicker(all, config('a', { a: 1, b: 1 }), roundRobin, seededRandom(5))!;
    let unzoned = 0;
    for (let i = 0; i < 10_000; i++) if (picker.pick({ hashKey: undefined, now: 0 }).zone === undefined) unzoned++;
    // upstream a 25% vs callers 50%: half stays local, half goes to the unzoned instances.
    expect(unzoned / 10_000).toBeCloseTo(0.5, 1);
  });
});
