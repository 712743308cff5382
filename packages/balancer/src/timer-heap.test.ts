import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerHeap, type TimerHeapEntry } from './timer-heap.js';

describe('TimerHeap', () => {
  it('gives back what is left, after random pushes and removals, in (at, insertion) order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }), (ops) => {
        const heap = new TimerHeap<TimerHeapEntry>();
        const kept: TimerHeapEntry[] = [];
        const all: TimerHeapEntry[] = [];
        ops.forEach(([at, removeOne], seq) => {
          const e = { at, seq, heapIndex: -1 };
          heap.push(e);
          all.push(e);
          if (removeOne) {
            const victim = all[(at * 7) % all.length]!;
            heap.remove(victim); // removing twice is harmless
            heap.remove(victim);
          }
        });
        for (const e of all) if (e.heapIndex >= 0) kept.push(e);
        expect(heap.size).toBe(kept.length);
        const out: TimerHeapEntry[] = [];
        for (let e = heap.peek(); e !== undefined; e = heap.peek()) {
          heap.remove(e);
          expect(e.heapIndex).toBe(-1);
          out.push(e);
        }
        expect(out).toEqual([...kept].sort((a, b) => a.at - b.at || a.seq - b.seq));
      }),
    );
  });

  it('clear() empties the heap and marks every entry out of it', () => {
    const heap = new TimerHeap<TimerHeapEntry>();
    const entries = [3, 1, 2].map((at, seq) => ({ at, seq, heapIndex: -1 }));
    for (const e of entries) heap.push(e);
    expect(heap.clear().map((e) => e.at).sort()).toEqual([1, 2, 3]);
    expect(heap.size).toBe(0);
    expect(entries.map((e) => e.heapIndex)).toEqual([-1, -1, -1]);
  });
});
