/**
 * A queue of timed entries that arrive in due order: a doubly linked list where pushing (at the
 * tail), peeking (the head) and removing any entry are O(1). It takes only entries due no earlier
 * than its last one (`accepts`); the attempt deadlines keep the others in a `TimerHeap` beside it.
 * Deadlines of one length armed one after the other, which are nearly all of them, arrive in
 * that order, so they never pay the heap's O(log n).
 */

/** What the queue orders and tracks. */
export interface TimerFifoEntry {
  /** Due time, ms. */
  readonly at: number;
  /** Links, kept by the queue; undefined at the ends and while out of it. */
  prev: this | undefined;
  next: this | undefined;
  /** True while the entry is in the queue. */
  queued: boolean;
}

/** A FIFO of entries in non-decreasing `at`, with removal of any entry. */
export class TimerFifo<T extends TimerFifoEntry> {
  #head: T | undefined;
  #tail: T | undefined;
  #size = 0;

  /** Entries in the queue. */
  get size(): number {
    return this.#size;
  }

  /** The earliest entry (the first pushed), left in place. */
  peek(): T | undefined {
    return this.#head;
  }

  /** Whether `at` can be pushed: due no earlier than the last entry. */
  accepts(at: number): boolean {
    return this.#tail === undefined || at >= this.#tail.at;
  }

  /** Appends `entry`; the caller checked `accepts(entry.at)`. */
  push(entry: T): void {
    entry.prev = this.#tail;
    entry.next = undefined;
    entry.queued = true;
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    this.#size++;
  }

  /** Takes `entry` out; does nothing when it is not in the queue. */
  remove(entry: T): void {
    if (!entry.queued) return;
    entry.queued = false;
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    this.#size--;
  }

  /** Empties the queue, returning what it held in order. */
  clear(): T[] {
    const entries: T[] = [];
    for (let e = this.#head; e !== undefined; ) {
      const next = e.next;
      e.prev = e.next = undefined;
      e.queued = false;
      entries.push(e);
      e = next;
    }
    this.#head = this.#tail = undefined;
    this.#size = 0;
    return entries;
  }
}
