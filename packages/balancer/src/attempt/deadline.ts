/**
 * Attempt deadlines: how long an attempt may wait for its response headers before the instance
 * is blamed and the request may go elsewhere. Its scope is the same for every client: armed when
 * the attempt is picked, ended when the response headers are reported (`attempt.headers()`) or
 * the attempt ends. The body is then read at the caller's pace (a slow reader or a long download
 * is not a hung instance); the caller's own deadline bounds the rest.
 *
 * One queue per service, with one timer at a time, set for the earliest deadline. Attempts of a
 * service do not share one timeout (the learned bound moves, a request may bring its own), so
 * the queue is a binary min-heap by expiry with removal by position: arming and ending are
 * O(log n) in the attempts in flight, and an ended deadline leaves the heap at once (nothing is
 * kept alive by it). Not a Node timer per request: that was a visible share of the hot path.
 *
 * The timer is lazy: it is moved only when a deadline earlier than the one it is set for is armed.
 * When the last deadline ends, the timer stays set but stops keeping the process alive
 * (`Timer.keepAlive(false)`), so that requests one after the other reuse it instead of setting and
 * cancelling a timer each; when it fires with nothing due, it is set for the earliest deadline
 * left, if any.
 */
import type { Runtime, Timer } from '../runtime.js';
import { TimerHeap } from '../timer-heap.js';

/** One armed deadline. */
export interface DeadlineEntry {
  /** Runtime time it expires at, ms. */
  readonly at: number;
  /** False once ended (`DeadlineQueue.end`) or expired. */
  armed: boolean;
  /** True once it expired. */
  fired: boolean;
  /** Dropped once ended, so an ended attempt is not kept alive by the queue. */
  onExpiry: (() => void) | undefined;
}

interface HeapEntry extends DeadlineEntry {
  /** Position in the heap; -1 once out of it. */
  index: number;
  /** Arming order: ties expire in the order they were armed. */
  readonly seq: number;
}

export class DeadlineQueue {
  readonly #heap = new TimerHeap<HeapEntry>();
  #seq = 0;
  #timer: Timer | undefined;
  /** The expiry the timer is set for, ms (Infinity: no timer). */
  #timerAt = Infinity;
  /** False while the timer is set but no deadline is armed: it does not keep the process alive. */
  #held = true;

  constructor(private readonly runtime: Runtime) {}

  /** Deadlines armed and not yet ended or expired. */
  get size(): number {
    return this.#heap.size;
  }

  /** Arms a deadline `timeoutMs` after `start`; `onExpiry` runs when it passes while still armed. */
  arm(start: number, timeoutMs: number, onExpiry: () => void): DeadlineEntry {
    const entry: HeapEntry = { at: start + timeoutMs, armed: true, fired: false, onExpiry, index: -1, seq: this.#seq++ };
    this.#heap.push(entry);
    // A timer set for a later expiry is moved earlier; one set earlier fires, finds nothing due, and moves on.
    if (entry.at < this.#timerAt) this.#schedule(entry.at, this.runtime.now());
    else if (!this.#held) this.#hold(true);
    return entry;
  }

  /** Ends a deadline before it expires. When none is left armed, the timer goes too. */
  end(entry: DeadlineEntry): void {
    if (!entry.armed) return;
    entry.armed = false;
    entry.onExpiry = undefined;
    this.#heap.remove(entry as HeapEntry);
    if (this.#heap.size > 0) return;
    // None left: the timer waits for the next deadline without keeping the process alive.
    if (this.#timer?.keepAlive !== undefined) this.#hold(false);
    else this.#cancelTimer();
  }

  /** Stops every timer; armed deadlines never fire (the balancer is closing). */
  close(): void {
    this.#cancelTimer();
    for (const e of this.#heap.clear()) {
      e.armed = false;
      e.onExpiry = undefined;
    }
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#held = true;
  }

  #hold(keep: boolean): void {
    this.#held = keep;
    this.#timer?.keepAlive?.(keep);
  }

  #schedule(at: number, now: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#held = true;
    this.#timer = this.runtime.setTimeout(() => this.#due(at), Math.max(0, at - now), { unref: false });
  }

  /**
   * The earliest deadline passed. The responses of those attempts may already be waiting in
   * their sockets, unread because this process was busy (a stalled event loop fires timers late,
   * all at once): I/O gets one more turn of the event loop (a 0 ms timer runs after the pending I/O
   * callbacks, which end the deadlines whose headers were there) before any instance is blamed.
   * Deadlines armed meanwhile with an earlier expiry than the cutoff wait for their own timer.
   */
  #due(cutoff: number): void {
    if (this.#heap.size === 0) {
      // Set for a deadline that ended: nothing to expire, and no timer until one is armed.
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#held = true;
      return;
    }
    this.#timerAt = -Infinity; // no rescheduling between the two turns
    this.#held = true;
    this.#timer = this.runtime.setTimeout(() => this.#expire(cutoff), 0, { unref: false });
  }

  #expire(cutoff: number): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const heap = this.#heap;
    for (let entry = heap.peek(); entry !== undefined && entry.at <= cutoff; entry = heap.peek()) {
      heap.remove(entry);
      const onExpiry = entry.onExpiry;
      entry.armed = false;
      entry.onExpiry = undefined;
      entry.fired = true;
      onExpiry?.();
    }
    const next = heap.peek();
    if (next !== undefined && next.at < this.#timerAt) this.#schedule(next.at, this.runtime.now());
  }
}
