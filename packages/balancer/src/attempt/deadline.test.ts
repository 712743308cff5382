import { describe, expect, it } from 'vitest';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { DeadlineQueue } from './deadline.js';

/** The 0 ms turn the queue gives I/O after a deadline passes. */
const IO_TURN = 0;

describe('DeadlineQueue', () => {
  it('fires deadlines of different lengths in expiry order, not arming order', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    const fired: string[] = [];
    q.arm(0, 300, () => fired.push('a@300'));
    q.arm(0, 100, () => fired.push('b@100'));
    runtime.advance(50);
    q.arm(50, 20, () => fired.push('c@70'));
    q.arm(50, 1_000, () => fired.push('d@1050'));
    runtime.advance(80 - 50 + IO_TURN);
    expect(fired).toEqual(['c@70']);
    runtime.advance(30);
    expect(fired).toEqual(['c@70', 'b@100']);
    runtime.advance(1_000);
    expect(fired).toEqual(['c@70', 'b@100', 'a@300', 'd@1050']);
    expect(runtime.pendingTimers()).toBe(0);
  });

  it('deadlines that expire together fire in the order they were armed', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) q.arm(0, 100, () => fired.push(i));
    runtime.advance(100);
    expect(fired).toEqual([0, 1, 2, 3, 4]);
  });

  it('deadlines armed out of expiry order (another length) still fire in expiry order, ties in arming order', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    const fired: string[] = [];
    q.arm(0, 100, () => fired.push('a@100'));
    q.arm(0, 200, () => fired.push('b@200'));
    q.arm(0, 100, () => fired.push('c@100')); // earlier than the last one armed
    q.arm(0, 50, () => fired.push('d@50'));
    q.arm(0, 300, () => fired.push('e@300'));
    runtime.advance(300);
    expect(fired).toEqual(['d@50', 'a@100', 'c@100', 'b@200', 'e@300']);
  });

  it('an ended deadline never fires and leaves the heap at once; once the last one ends, no timer keeps the process alive', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    const fired: string[] = [];
    const a = q.arm(0, 100, () => fired.push('a'));
    const b = q.arm(0, 50, () => fired.push('b'));
    q.arm(0, 200, () => fired.push('c'));
    q.end(b);
    expect(q.size).toBe(2);
    expect(b).toMatchObject({ armed: false, fired: false, onExpiry: undefined });
    runtime.advance(100);
    expect(fired).toEqual(['a']);
    expect(a.fired).toBe(true);
    q.end(a); // already expired: no effect
    expect(q.size).toBe(1);
    const d = q.arm(100, 500, () => fired.push('d'));
    q.end(d);
    runtime.advance(100);
    expect(fired).toEqual(['a', 'c']);
    expect(q.size).toBe(0);
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
  });

  it('deadlines one after the other reuse one lazy timer, which keeps the process alive only while one is armed', () => {
    const runtime = createFakeRuntime();
    let set = 0;
    const counting = { ...runtime, setTimeout: (...args: Parameters<typeof runtime.setTimeout>) => (set++, runtime.setTimeout(...args)) };
    const q = new DeadlineQueue(counting);
    for (let i = 0; i < 50; i++) {
      const e = q.arm(runtime.now(), 1_000, () => {});
      expect(runtime.pendingTimers({ includeUnref: false })).toBe(1);
      runtime.advance(10);
      q.end(e);
      expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
    }
    expect(set).toBe(1); // not one per deadline
    const fired: number[] = [];
    q.arm(runtime.now(), 1_000, () => fired.push(runtime.now()));
    runtime.advance(2_000); // the stale timer fires at 1,000, finds nothing due, and moves on
    expect(fired).toEqual([1_500]);
    runtime.advance(1_000);
    expect(runtime.pendingTimers()).toBe(0);
  });

  it('a shorter deadline armed after a longer one moves the timer earlier', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    const fired: number[] = [];
    q.arm(0, 10_000, () => fired.push(runtime.now()));
    q.arm(0, 1_000, () => fired.push(runtime.now()));
    runtime.advance(1_000);
    expect(fired).toEqual([1_000]);
    runtime.advance(9_000);
    expect(fired).toEqual([1_000, 10_000]);
  });

  it('keeps order over many random arms and ends (checked against a sort)', () => {
    const runtime = createFakeRuntime({ seed: 3 });
    const q = new DeadlineQueue(runtime);
    const fired: number[] = [];
    const live: { at: number; entry: ReturnType<DeadlineQueue['arm']> }[] = [];
    for (let i = 0; i < 500; i++) {
      const at = 1 + Math.floor(runtime.random() * 5_000);
      live.push({ at, entry: q.arm(0, at, () => fired.push(at)) });
      // End a random one still armed, wherever it sits in the heap.
      if (runtime.random() < 0.3) q.end(live.splice(Math.floor(runtime.random() * live.length), 1)[0]!.entry);
    }
    expect(q.size).toBe(live.length);
    runtime.advance(5_001);
    expect(fired).toEqual(live.map((l) => l.at).sort((x, y) => x - y));
  });

  it('close stops the timer: armed deadlines never fire', () => {
    const runtime = createFakeRuntime();
    const q = new DeadlineQueue(runtime);
    let fired = 0;
    const e = q.arm(0, 100, () => fired++);
    q.close();
    runtime.advance(1_000);
    expect(fired).toBe(0);
    expect(e.armed).toBe(false);
    expect(runtime.pendingTimers()).toBe(0);
  });
});
