/**
 * Keeps the hedging bench working: a shortened run (one round per load, half-second phases) has
 * both rows, both runs of each, finite figures, every request answered, and hedges only where
 * hedging is on. Speed is not asserted: the machine is shared.
 */
import { describe, expect, it } from 'vitest';
import { runTail, tailMarkdown, type TailOptions } from './tail.js';

describe('hedging bench, shortened', () => {
  it('runs both loads with and without hedging and renders the table', { timeout: 60_000 }, async () => {
    const o: TailOptions = { instances: 2, workers: 2, warmupMs: 300, measureMs: 500, rounds: 1, loads: [0.2, 0.6] };
    const rows = await runTail(o);
    expect(rows.map((r) => [r.load, r.ratePerSec])).toEqual([
      [0.2, 80],
      [0.6, 240],
    ]);
    for (const r of rows) {
      expect([r.off.hedge, r.on.hedge]).toEqual([false, true]);
      expect(r.off.hedges).toBe(0);
      for (const run of [r.off, r.on]) {
        expect(run.requests).toBeGreaterThan(0);
        expect(run.success).toBe(1);
        expect([run.p50, run.p99, run.p999, run.extraAttempts].every(Number.isFinite)).toBe(true);
      }
    }
    const table = tailMarkdown(rows, o);
    expect(table.split('\n').filter((l) => l.startsWith('| 20%') || l.startsWith('| 60%'))).toHaveLength(6);
  });
});
