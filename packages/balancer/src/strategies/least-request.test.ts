import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { leastRequest } from './least-request.js';
import { endpoints, sequence, simulate, toShares } from './strategies.test-helpers.js';

describe('leastRequest', () => {
  it('picks the endpoint with fewer requests in flight among two distinct draws', () => {
    const eps = endpoints([1, 1]);
    eps[0]!.inFlight = 5;
    // With n = 2 both endpoints are always drawn (distinct), so b always wins.
    expect(new Set(sequence(leastRequest().build(eps, { now: 0, random: seededRandom(1) }), 200))).toEqual(new Set(['b']));
  });

  it('breaks ties by draw order, so idle endpoints share traffic', () => {
    const picks = sequence(leastRequest().build(endpoints([1, 1, 1]), { now: 0, random: seededRandom(2) }), 3000);
    for (const id of ['a', 'b', 'c']) {
      const share = picks.filter((p) => p === id).length / picks.length;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
    }
  });

  it('never picks the busiest of three with two choices, and the least busy with choiceCount >= n', () => {
    const eps = endpoints([1, 1, 1]);
    eps[0]!.inFlight = 3;
    eps[1]!.inFlight = 1;
    eps[2]!.inFlight = 2;
    const p2c = sequence(leastRequest().build(eps, { now: 0, random: seededRandom(3) }), 3000);
    expect(p2c).not.toContain('a');
    // b wins whenever drawn (2 of 3 pairs), c only against a
    expect(p2c.filter((p) => p === 'b').length / 3000).toBeCloseTo(2 / 3, 1);
    const all = sequence(leastRequest({ choiceCount: 5 }).build(eps, { now: 0, random: seededRandom(3) }), 100);
    expect(new Set(all)).toEqual(new Set(['b']));
  });

  it('scores weight / (inFlight + 1) ** activeRequestBias when weights differ', () => {
    const eps = endpoints([3, 1]);
    eps[0]!.inFlight = 1; // 3 / 2 = 1.5 > 1 / 1
    expect(new Set(sequence(leastRequest().build(eps, { now: 0, random: seededRandom(4) }), 50))).toEqual(new Set(['a']));
    eps[0]!.inFlight = 3; // 3 / 4 < 1
    expect(new Set(sequence(leastRequest().build(eps, { now: 0, random: seededRandom(4) }), 50))).toEqual(new Set(['b']));
    // bias 0.5: 3 / sqrt(4) = 1.5 > 1
    const half = leastRequest({ activeRequestBias: 0.5 }).build(eps, { now: 0, random: seededRandom(4) });
    expect(new Set(sequence(half, 50))).toEqual(new Set(['a']));
    // bias 0: load ignored, weight decides
    eps[0]!.inFlight = 1000;
    const none = leastRequest({ activeRequestBias: 0 }).build(eps, { now: 0, random: seededRandom(4) });
    expect(new Set(sequence(none, 50))).toEqual(new Set(['a']));
  });

  it('follows the weights within 2 percentage points under load (weighted variant, simulated)', () => {
    // 100k requests, one every 0.1 ms, each taking 10 ms everywhere: ~100 in flight in total, so
    // in-flight counts settle near weight / score and picks near the weights.
    const eps = endpoints([1, 2, 3, 4]);
    const { picks } = simulate({
      strategy: leastRequest(),
      endpoints: eps,
      random: seededRandom(5),
      latencyMs: () => 10,
      intervalMs: 0.1,
      requests: 100_000,
    });
    const s = toShares(picks);
    // measured: a 0.102, b 0.206, c 0.302, d 0.390 (seeds 5, 6 and 7 alike)
    ['a', 'b', 'c', 'd'].forEach((id, i) => expect(Math.abs(s.get(id)! - (i + 1) / 10)).toBeLessThan(0.02));
  });

  it('sends little traffic to an instance ten times slower (simulated)', () => {
    // 4 endpoints, d takes 100 ms, the others 10 ms; a request every 1 ms (an even split would
    // keep 25 requests in flight on d).
    const eps = endpoints([1, 1, 1, 1]);
    const { picks } = simulate({
      strategy: leastRequest(),
      endpoints: eps,
      random: seededRandom(6),
      latencyMs: (e) => (e.id === 'd' ? 100 : 10),
      intervalMs: 1,
      requests: 20_000,
    });
    const s = toShares(picks);
    // measured: d gets 0.046 of the picks (vs 0.25 for an even split)
    expect(s.get('d')!).toBeLessThan(0.08);
  });

  it('returns the only endpoint', () => {
    const eps = endpoints([2]);
    eps[0]!.inFlight = 9;
    expect(sequence(leastRequest({ choiceCount: 3 }).build(eps, { now: 0, random: seededRandom(1) }), 3)).toEqual(['a', 'a', 'a']);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => leastRequest({ choiceCount: 1 })).toThrow(TypeError);
    expect(() => leastRequest({ choiceCount: 1 })).toThrow(/choiceCount/);
    expect(() => leastRequest({ choiceCount: 2.5 })).toThrow(/choiceCount/);
    expect(() => leastRequest({ activeRequestBias: -0.1 })).toThrow(/activeRequestBias/);
    expect(() => leastRequest({ activeRequestBias: Number.NaN })).toThrow(/activeRequestBias/);
    expect(() => leastRequest({ activeRequestBias: '1' as unknown as number })).toThrow(/activeRequestBias/);
    expect(() => leastRequest(null as unknown as undefined)).toThrow(TypeError);
    expect(() => leastRequest({ choicecount: 3 } as never)).toThrow(/unknown option "choicecount"/);
  });
});
