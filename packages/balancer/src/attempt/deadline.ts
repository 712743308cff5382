/**
 * Attempt deadlines: how long an attempt may wait for its response headers before the instance
 * is blamed and the request may go elsewhere. Its scope is the same for every client: armed when
 * the attempt is picked, ended when the response headers are reported (`attempt.headers()`) or
 * the attempt ends. The body is then read at the caller's pace (a slow reader or a long download
 * is not a hung instance); the caller's own deadline bounds the rest.
 *
 * One queue per service, with one timer at a time, set for the earliest deadline. Most deadlines
 * of a service have one length (`retry.perAttemptTimeoutMs`) and are armed one after the other,
 * so they expire in the order they are armed: those go to a linked list in expiry order, where
 * arming and ending cost O(1). The others (the learned bound moves, a request may bring its own
 * timeout) go to a binary min-heap by expiry with removal by position, O(log n) in the attempts
 * in flight; the earliest deadline is the earlier of the two heads. An ended deadline leaves the
 * queue at once (nothing is kept alive by it). Not a Node timer per request: that was a visible
 * share of the hot path.
 *
 * The timer is lazy: it is moved only when a deadline earlier than the one it is set for is armed.
 * When the last deadline ends, the timer stays set but stops keeping the process alive
 * (`Timer.keepAlive(false)`), so that requests one after the other reuse it instead of setting and
 * cancelling a timer each; when it fires with nothing due, it is set for the earliest deadline
 * left, if any.
 */
import type { Runtime, Timer } from '../runtime.js';
import { TimerFifo } from '../timer-fifo.js';
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

/** An entry in the list (`queued`) or in the heap (`index` >= 0). */
class QueuedEntry implements DeadlineEntry {
  armed = true;
  fired = false;
  /** Position in the heap; -1 while not in it. */
  index = -1;
  prev: QueuedEntry | undefined = undefined;
  next: QueuedEntry | undefined = undefined;
  queued = false;

  constructor(
    readonly at: number,
    /** Arming order: ties expire in the order they were armed. */
    readonly seq: number,
    public onExpiry: (() => void) | undefined,
  ) {}
}

/** True when `a` expires before `b` (ties: the one armed first). */
const before = (a: QueuedEntry, b: QueuedEntry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class DeadlineQueue {
  /** Deadlines armed in expiry order (the usual case). */
  readonly #line = new TimerFifo<QueuedEntry>();
  /** The others. */
  readonly #heap = new TimerHeap<QueuedEntry>();
  #seq = 0;
  #timer: Timer | undefined;
  /** The expiry the timer is set for, ms (Infinity: no timer). */
  #timerAt = Infinity;
  /** False while the timer is set but no deadline is armed: it does not keep the process alive. */
  #held = true;

  constructor(private readonly runtime: Runtime) {}

  /** Deadlines armed and not yet ended or expired. */
  get size(): number {
    return this.#line.size + this.#heap.size;
  }

  /** Arms a deadline `timeoutMs` after `start`; `onExpiry` runs when it passes while still armed. */
  arm(start: number, timeoutMs: number, onExpiry: () => void): DeadlineEntry {
    const entry = new QueuedEntry(start + timeoutMs, this.#seq++, onExpiry);
    if (this.#line.accepts(entry.at)) this.#line.push(entry);
    else this.#heap.push(entry);
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
    this.#take(entry as QueuedEntry);
    if (this.size > 0) return;
    // None left: the timer waits for the next deadline without keeping the process alive.
    if (this.#timer?.keepAlive !== undefined) this.#hold(false);
    else this.#cancelTimer();
  }

  /** Stops every timer; armed deadlines never fire (the balancer is closing). */
  close(): void {
    this.#cancelTimer();
    for (const e of [...this.#line.clear(), ...this.#heap.clear()]) {
      e.armed = false;
      e.onExpiry = undefined;
    }
  }

  /** The earliest deadline, in the list or the heap. */
  #peek(): QueuedEntry | undefined {
    const first = this.#line.peek();
    const top = this.#heap.peek();
    if (first === undefined) return top;
    return top !== undefined && before(top, first) ? top : first;
  }

  #take(entry: QueuedEntry): void {
    if (entry.queued) this.#line.remove(entry);
    else this.#heap.remove(entry);
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
    if (this.size === 0) {
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
    for (let entry = this.#peek(); entry !== undefined && entry.at <= cutoff; entry = this.#peek()) {
      this.#take(entry);
      const onExpiry = entry.onExpiry;
      entry.armed = false;
      entry.onExpiry = undefined;
      entry.fired = true;
      onExpiry?.();
    }
    const next = this.#peek();
    if (next !== undefined && next.at < this.#timerAt) this.#schedule(next.at, this.runtime.now());
  }
}
