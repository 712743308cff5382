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

/**
 * One deadline. An attempt is its own (it extends `Deadline`, so arming one allocates nothing);
 * `DeadlineQueue.arm` makes one that runs a function. The queue keeps the fields below.
 */
export abstract class Deadline {
  /** Runtime time it expires at, ms (set when armed). */
  at = 0;
  /** Arming order: ties expire in the order they were armed. */
  seq = 0;
  /** Position in the heap; -1 while not in it. */
  heapIndex = -1;
  /** Links in the list, while `queued`. */
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = false;
  /** True from arming until ended (`DeadlineQueue.end`) or expired. */
  armed = false;
  /** True once it expired. */
  fired = false;

  /** Called by the queue, once, when the deadline passes while armed. */
  abstract expired(): void;
  /** Called by the queue when the deadline is ended before it expired: drop what `expired` would use. */
  released(): void {}
}

/** The deadline `DeadlineQueue.arm` returns: runs `onExpiry`, dropped once ended. */
export class DeadlineEntry extends Deadline {
  constructor(public onExpiry: (() => void) | undefined) {
    super();
  }
  expired(): void {
    const onExpiry = this.onExpiry;
    this.onExpiry = undefined;
    onExpiry?.();
  }
  override released(): void {
    this.onExpiry = undefined;
  }
}

/** True when `a` expires before `b` (ties: the one armed first). */
const before = (a: Deadline, b: Deadline): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class DeadlineQueue {
  /** Deadlines armed in expiry order (the usual case). */
  readonly #line = new TimerFifo<Deadline>();
  /** The others. */
  readonly #heap = new TimerHeap<Deadline>();
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
    const entry = new DeadlineEntry(onExpiry);
    this.start(entry, start + timeoutMs);
    return entry;
  }

  /** Arms `deadline` (not armed now) to expire at runtime time `at`, ms. */
  start(deadline: Deadline, at: number): void {
    deadline.at = at;
    deadline.seq = this.#seq++;
    deadline.armed = true;
    deadline.fired = false;
    if (this.#line.accepts(at)) this.#line.push(deadline);
    else this.#heap.push(deadline);
    // A timer set for a later expiry is moved earlier; one set earlier fires, finds nothing due, and moves on.
    if (at < this.#timerAt) this.#schedule(at, this.runtime.now());
    else if (!this.#held) this.#hold(true);
  }

  /** Ends a deadline before it expires (nothing when it is not armed). When none is left armed, the timer goes too. */
  end(deadline: Deadline): void {
    if (!deadline.armed) return;
    deadline.armed = false;
    deadline.released();
    this.#take(deadline);
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
      e.released();
    }
  }

  /** The earliest deadline, in the list or the heap. */
  #peek(): Deadline | undefined {
    const first = this.#line.peek();
    const top = this.#heap.peek();
    if (first === undefined) return top;
    return top !== undefined && before(top, first) ? top : first;
  }

  #take(entry: Deadline): void {
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
      entry.armed = false;
      entry.fired = true;
      entry.expired();
    }
    const next = this.#peek();
    if (next !== undefined && next.at < this.#timerAt) this.#schedule(next.at, this.runtime.now());
  }
}
