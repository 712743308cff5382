import { describe, expect, it } from 'vitest';
import { mergeResults } from './merge.js';
import { renderMarkdown } from './markdown.js';
import type { BenchResult } from './result.js';

const meta = (date: string) => ({ date, node: 'v20', cpu: 'cpu', cores: 2, platform: 'linux', loadavg: [0, 0, 0], mode: 'full' as const, durationS: 1, haproxy: null });
const overhead = (rpsRatio: number) =>
  ({
    options: { rounds: 1, runMs: 1, warmupMs: 1, concurrency: 1 },
    rows: [],
    ratios: [{ group: 'undici', client: 'undici + balancer', baseline: 'raw', rpsRatio, p99Ratio: 1, cpuRatio: 1, extraCpuUs: 1 }],
    nullTransport: { requests: 1, rounds: 1, rawUs: 1, noopInterceptorUs: 2, balancedUs: 2, extraUs: 1, oursUs: 0 },
  }) as unknown as BenchResult['overhead'];

describe('mergeResults (pnpm bench --only)', () => {
  const previous = { meta: meta('2026-01-01'), pickCost: { rows: [] }, overhead: overhead(0.5), goals: [] } as unknown as BenchResult;
  const rerun = { meta: { ...meta('2026-02-02'), mode: 'custom' as const }, overhead: overhead(0.95), goals: [] } as unknown as BenchResult;

  it('keeps the parts not re-run, each with the date it was measured, and recomputes the goals', () => {
    const merged = mergeResults(previous, rerun, ['overhead']);
    expect(merged.pickCost).toBe(previous.pickCost);
    expect(merged.overhead).toBe(rerun.overhead);
    expect(merged.meta.measured).toEqual({ pick: '2026-01-01', overhead: '2026-02-02' });
    expect(merged.goals.find((g) => g.goal.startsWith('undici: >= 0.90'))).toMatchObject({ met: true });
    expect(renderMarkdown({ meta: merged.meta, goals: [] })).toContain('Parts measured in separate runs (`pnpm bench --only`): pick cost on 2026-01-01, overhead on 2026-02-02.');
  });

  it('a part kept twice keeps its first date', () => {
    const again = mergeResults(mergeResults(previous, rerun, ['overhead']), { ...rerun, meta: meta('2026-03-03') }, ['overhead']);
    expect(again.meta.measured).toEqual({ pick: '2026-01-01', overhead: '2026-03-03' });
  });
});
