/**
 * Attempt deadlines: how long an attempt may wait for its response headers before the instance
 * is blamed and the request may go elsewhere. Its scope is the same for every client: armed when
 * the attempt is picked, ended when the response headers are reported (`attempt.headers()`) or
 * the attempt ends. The body is then read at the caller's pace (a slow reader or a long download
 * is not a hung instance); the caller's own deadline bounds the rest.
 *
 * One queue per service, with one timer at a time: every attempt of a service has the same
 * timeout, so deadlines arrive in the order they expire, and arming or ending one is a push or a
 * flag, not a timer of its own (a Node timer per request was a visible share of the hot path).
 */
import type { Runtime, Timer } from '../runtime.js';

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

export class DeadlineQueue {
  /** Armed entries (and ended ones not yet dropped), in expiry order, from `head`. */
  #entries: DeadlineEntry[] = [];
  #head = 0;
  #timer: Timer | undefined;
  /** Entries still armed. */
  #armed = 0;
  /** The expiry the timer is set for, ms. */
  #timerAt = Infinity;

  constructor(
    private readonly runtime: Runtime,
    readonly timeoutMs: number,
  ) {}

  /** Arms a deadline `timeoutMs` from `now`; `onExpiry` runs when it passes while still armed. */
  arm(now: number, onExpiry: () => void): DeadlineEntry {
    const entry: DeadlineEntry = { at: now + this.timeoutMs, armed: true, fired: false, onExpiry };
    this.#entries.push(entry);
    this.#armed++;
    if (this.#timer === undefined) this.#schedule(entry.at, now);
    return entry;
  }

  /** Ends a deadline before it expires. When none is left armed, the timer goes too. */
  end(entry: DeadlineEntry): void {
    if (!entry.armed) return;
    entry.armed = false;
    entry.onExpiry = undefined;
    if (--this.#armed === 0) return this.close();
    this.#drop();
  }

  /** Drops ended entries from the front; compacts the array once most of it is dropped. */
  #drop(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && !entries[this.#head]!.armed) this.#head++;
    if (this.#head > 1_024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Stops every timer; armed deadlines never fire (the balancer is closing). */
  close(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    for (let i = this.#head; i < this.#entries.length; i++) this.#entries[i]!.armed = false;
    this.#entries = [];
    this.#head = 0;
    this.#armed = 0;
  }

  #schedule(at: number, now: number): void {
    this.#timerAt = at;
    this.#timer = this.runtime.setTimeout(() => this.#due(), at - now, { unref: false });
  }

  /**
   * The earliest deadline passed. The responses of those attempts may already be waiting in
   * their sockets, unread because this process was busy (a stalled event loop fires timers late,
   * all at once): I/O gets one more turn of the event loop (a 0 ms timer runs after the pending I/O
   * callbacks, which end the deadlines whose headers were there) before any instance is blamed.
   */
  #due(): void {
    const cutoff = this.#timerAt;
    this.#timer = this.runtime.setTimeout(() => this.#expire(cutoff), 0, { unref: false });
  }

  #expire(cutoff: number): void {
    this.#timer = undefined;
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]!.at <= cutoff) {
      const entry = entries[this.#head++]!;
      if (!entry.armed) continue;
      const onExpiry = entry.onExpiry;
      entry.armed = false;
      entry.onExpiry = undefined;
      this.#armed--;
      entry.fired = true;
      onExpiry?.();
    }
    this.#drop();
    const next = this.#entries[this.#head];
    if (next !== undefined) this.#schedule(next.at, this.runtime.now());
    else {
      this.#entries = [];
      this.#head = 0;
    }
  }
}
