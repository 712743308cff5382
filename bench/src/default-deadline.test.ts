/**
 * Keeps the default-deadline bench working on the shortened fault timeline (one round): both
 * variants run the whole fault scenario and every figure is there. Success is not asserted: a
 * 3 s fault phase is too short for the hung instance to cost the 2 s deadline reliably.
 */
import { describe, expect, it } from 'vitest';
import { defaultDeadlineMarkdown, runDefaultDeadline } from './default-deadline.js';
import { QUICK_TIMELINE } from './faults/faults.js';

describe('default-deadline bench, shortened', () => {
  it('runs the fault scenario with the attempt deadline off and learned, and renders the table', { timeout: 60_000 }, async () => {
    const o = { rounds: 1, strategy: 'peak-ewma' as const, timeline: QUICK_TIMELINE };
    const rows = await runDefaultDeadline(o);
    expect(rows.map((r) => r.label)).toEqual(['attempt deadline off (perAttemptTimeoutMs: false)', 'default: learned attempt deadline (no perAttemptTimeoutMs)']);
    for (const r of rows) {
      expect(r.requests).toBe((QUICK_TIMELINE.ratePerSec * QUICK_TIMELINE.faultMs) / 1000);
      expect([r.success, r.medianP99, r.medianHangSharePct].every(Number.isFinite)).toBe(true);
    }
    expect(defaultDeadlineMarkdown(rows, o).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| attempt deadline |'))).toHaveLength(2);
  });
});
