import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerFifo, type TimerFifoEntry } from './timer-fifo.js';

interface E extends TimerFifoEntry {
  readonly id: number;
}
const entry = (id: number, at: number): E => ({ id, at, prev: undefined, next: undefined, queued: false });

describe('TimerFifo', () => {
  it('gives back what is left, after in-order pushes and removals anywhere, in push order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000 }), fc.boolean()), { maxLength: 200 }), (ops) => {
        const fifo = new TimerFifo<E>();
        const all: E[] = [];
        let at = 0;
        ops.forEach(([step, pick, removeOne], id) => {
          at += step;
          expect(fifo.accepts(at)).toBe(true);
          const e = entry(id, at);
          fifo.push(e);
          all.push(e);
          if (removeOne) {
            const victim = all[pick % all.length]!;
            fifo.remove(victim); // removing twice is harmless
            fifo.remove(victim);
          }
        });
        const kept = all.filter((e) => e.queued);
        expect(fifo.size).toBe(kept.length);
        const out: E[] = [];
        for (let e = fifo.peek(); e !== undefined; e = fifo.peek()) {
          fifo.remove(e);
          expect(e.queued).toBe(false);
          out.push(e);
        }
        expect(out.map((e) => e.id)).toEqual(kept.map((e) => e.id));
        expect(fifo.size).toBe(0);
      }),
    );
  });

  it('accepts only entries due no earlier than its last one', () => {
    const fifo = new TimerFifo<E>();
    expect(fifo.accepts(5)).toBe(true);
    fifo.push(entry(1, 5));
    expect(fifo.accepts(5)).toBe(true);
    expect(fifo.accepts(4)).toBe(false);
    const last = entry(2, 9);
    fifo.push(last);
    fifo.remove(last);
    expect(fifo.accepts(6)).toBe(true); // the tail is the entry before again
  });

  it('clear() empties the queue, in order, and marks every entry out of it', () => {
    const fifo = new TimerFifo<E>();
    const entries = [1, 2, 3].map((at) => entry(at, at));
    for (const e of entries) fifo.push(e);
    expect(fifo.clear().map((e) => e.id)).toEqual([1, 2, 3]);
    expect(fifo.size).toBe(0);
    expect(fifo.peek()).toBeUndefined();
    expect(entries.every((e) => !e.queued && e.prev === undefined && e.next === undefined)).toBe(true);
  });
});
