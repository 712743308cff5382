/**
 * Keeps the hedging bench working: a shortened run (one round per load, half-second phases) has
 * both rows, both runs of each, finite figures, every request answered, and hedges only where
 * hedging is on. Speed is not asserted: the machine is shared.
 */
import { describe, expect, it } from 'vitest';
import { runTail, tailMarkdown, type TailOptions } from './tail.js';

describe('hedging bench, shortened', () => {
  it('runs both loads and the overload step with and without hedging and renders the table', { timeout: 60_000 }, async () => {
    const o: TailOptions = { instances: 2, workers: 2, warmupMs: 300, measureMs: 500, rounds: 1, loads: [0.2, 0.6], overload: 1.1 };
    const rows = await runTail(o);
    expect(rows.map((r) => [r.load, r.warmupRatePerSec, r.ratePerSec])).toEqual([
      [0.2, undefined, 80],
      [0.6, undefined, 240],
      [1.1, 200, 440],
    ]);
    expect(rows.map((r) => r.unbounded?.variant)).toEqual([undefined, undefined, 'unbounded']);
    for (const r of rows) {
      expect([r.off.hedge, r.on.hedge]).toEqual([false, true]);
      expect(r.off.hedges).toBe(0);
      for (const run of [r.off, r.on, ...(r.unbounded ? [r.unbounded] : [])]) {
        expect(run.requests).toBeGreaterThan(0);
        expect([run.p50, run.p99, run.p999, run.extraAttempts, run.success].every(Number.isFinite)).toBe(true);
      }
      // Below capacity every request is answered; past it the queue only makes them slower here.
      if (r.load < 1) expect([r.off.success, r.on.success]).toEqual([1, 1]);
    }
    const table = tailMarkdown(rows, o);
    expect(table.split('\n').filter((l) => /^\| (20|60|110)% \| \d/.test(l))).toHaveLength(7);
  });
});
