/**
 * A binary min-heap of timed entries, ordered by due time and then by insertion order, each entry
 * knowing its own position so that it can be removed in O(log n) (a cancelled timer, an ended
 * deadline). Shared by the attempt deadlines and the simulator's virtual clock.
 */

/** What the heap orders and tracks. */
export interface TimerHeapEntry {
  /** Due time, ms. */
  readonly at: number;
  /** Insertion order: entries due at the same time come out in the order they went in. */
  readonly seq: number;
  /** Position in the heap, kept by the heap; -1 while the entry is not in it. */
  heapIndex: number;
}

const before = (a: TimerHeapEntry, b: TimerHeapEntry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A min-heap by (`at`, `seq`) with removal by position. */
export class TimerHeap<T extends TimerHeapEntry> {
  #heap: T[] = [];

  /** Entries in the heap. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest entry, left in place. */
  peek(): T | undefined {
    return this.#heap[0];
  }

  push(entry: T): void {
    const heap = this.#heap;
    heap.push(entry);
    this.#up(heap.length - 1, entry);
  }

  /** Takes `entry` out; does nothing when it is not in the heap (`heapIndex` -1). */
  remove(entry: T): void {
    const heap = this.#heap;
    const i = entry.heapIndex;
    if (i < 0) return;
    entry.heapIndex = -1;
    const last = heap.pop()!;
    if (i === heap.length) return;
    if (i > 0 && before(last, heap[(i - 1) >> 1]!)) this.#up(i, last);
    else this.#down(i, last);
  }

  /** Empties the heap, returning what it held (each entry's `heapIndex` set to -1). */
  clear(): T[] {
    const entries = this.#heap;
    this.#heap = [];
    for (const e of entries) e.heapIndex = -1;
    return entries;
  }

  #up(i: number, entry: T): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(entry, p)) break;
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }

  #down(i: number, entry: T): void {
    const heap = this.#heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const c = heap[child]!;
      if (!before(c, entry)) break;
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}
