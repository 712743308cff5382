import { describe, expect, it } from 'vitest';
import { seededRandom } from '@datapunk/balancer/testing';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('runs events in time order, ties in scheduling order, and stops at the horizon', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.after(30, () => seen.push(`c@${s.now}`));
    s.after(10, () => seen.push(`a@${s.now}`));
    s.after(10, () => seen.push(`b@${s.now}`));
    s.after(50, () => seen.push(`late@${s.now}`));
    await s.run(40);
    expect(seen).toEqual(['a@10', 'b@10', 'c@30']);
    expect(s.now).toBe(40);
    await s.run(60);
    expect(seen.at(-1)).toBe('late@50');
  });

  it('skips cancelled events and clamps negative delays to now', async () => {
    const s = new Scheduler();
    const seen: number[] = [];
    const t = s.after(5, () => seen.push(5));
    s.after(-3, () => seen.push(s.now));
    t.cancel();
    t.cancel();
    await s.run(10);
    expect(seen).toEqual([0]);
  });

  it('drains every microtask an event causes before the next event, at the event time', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.after(10, () => {
      void (async () => {
        for (let i = 0; i < 25; i++) await Promise.resolve();
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        seen.push(`chain done at ${s.now}`);
        s.after(0, () => seen.push(`scheduled by the chain at ${s.now}`));
      })();
    });
    s.after(10, () => seen.push(`next event at ${s.now}`));
    s.after(11, () => seen.push(`later event at ${s.now}`));
    await s.run(20);
    expect(seen).toEqual(['chain done at 10', 'next event at 10', 'scheduled by the chain at 10', 'later event at 11']);
  });

  it('gives each runtime view its own seeded random stream on the shared clock', async () => {
    const s = new Scheduler();
    const a = s.runtime(1);
    const b = s.runtime(2);
    const a2 = new Scheduler().runtime(1);
    const drawsA = [a.random(), a.random(), a.random()];
    expect([a2.random(), a2.random(), a2.random()]).toEqual(drawsA);
    expect(b.random()).not.toBe(drawsA[0]);
    let firedAt = -1;
    a.setTimeout(() => (firedAt = b.now()), 7);
    await s.run(10);
    expect(firedAt).toBe(7);
    expect(a.wallNow() - b.wallNow()).toBe(0);
    expect(new Date(a.wallNow()).toISOString()).toBe('2026-01-01T00:00:00.010Z');
  });

  it('keeps (time, order) exact through thousands of random schedules and cancels', async () => {
    const random = seededRandom(9);
    const s = new Scheduler();
    const ran: number[] = [];
    const expected: { at: number; id: number }[] = [];
    const timers: { timer: ReturnType<Scheduler['after']>; id: number }[] = [];
    for (let id = 0; id < 5_000; id++) {
      const at = Math.floor(random() * 1_000);
      timers.push({ timer: s.after(at, () => ran.push(id)), id });
      expected.push({ at, id });
    }
    const cancelled = new Set<number>();
    for (let k = 0; k < 2_000; k++) {
      const t = timers[Math.floor(random() * timers.length)]!;
      t.timer.cancel();
      cancelled.add(t.id);
    }
    expect(s.queued).toBe(5_000 - cancelled.size);
    await s.run(1_000);
    expect(ran).toEqual(expected.filter((e) => !cancelled.has(e.id)).sort((a, b) => a.at - b.at || a.id - b.id).map((e) => e.id));
    expect(s.queued).toBe(0);
  });

  it('rejects with the error an event throws', async () => {
    const s = new Scheduler();
    s.after(1, () => {
      throw new Error('boom');
    });
    await expect(s.run(5)).rejects.toThrow('boom');
  });

  it('runs a long chain of events without starving the real event loop', async () => {
    const s = new Scheduler();
    let n = 0;
    const tick = (): void => {
      n++;
      if (n < 100_000) s.after(1, tick);
    };
    s.after(0, tick);
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    await s.run(200_000);
    expect(n).toBe(100_000);
    expect(immediateRan).toBe(true);
  });
});
