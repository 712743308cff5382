/**
 * Keeps the load-report bench working: a shortened run (half-second blackout, 1.5 s measured)
 * has a share per instance, finite figures, every request answered, and the hot instance well
 * below the others (the reports steer traffic). Convergence within 10% is the full run's claim.
 */
import { describe, expect, it } from 'vitest';
import { convergenceMarkdown, expectedShares, FULL_CONVERGENCE, runConvergence, type ConvergenceOptions } from './convergence.js';

describe('load-report bench, shortened', () => {
  it('A58 shares of one instance at 90% and three at 30%', () => {
    expect(expectedShares(FULL_CONVERGENCE).map((s) => Math.round(s * 1000) / 1000)).toEqual([0.1, 0.3, 0.3, 0.3]);
  });

  it('runs a round and renders the table', { timeout: 60_000 }, async () => {
    const o: ConvergenceOptions = { ...FULL_CONVERGENCE, blackoutPeriodMs: 500, settleMs: 500, measureMs: 1_500, rounds: 1 };
    const r = await runConvergence(o);
    expect(r.shares).toHaveLength(4);
    expect(r.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    const round = r.rounds[0]!;
    expect([round.hotLeast, round.hotWorst, round.hotDuringBlackout, round.p99, r.worstError].every(Number.isFinite)).toBe(true);
    expect(round.successPct).toBe(100);
    expect(r.shares[0]).toBeLessThan(0.2); // even would be 0.25; A58 says 0.1
    expect(convergenceMarkdown(r).split('\n').filter((l) => /^\| #\d \| 0\.\d \|/.test(l))).toHaveLength(4);
  });
});
