/**
 * The attempt deadline: how long an attempt may wait for its response headers before the
 * instance is blamed and the request may go elsewhere. Its scope is the same for every client:
 * armed when the attempt is picked, disarmed when the response headers are reported
 * (`attempt.headers()`) or the attempt ends. The body is then read at the caller's pace (a slow
 * reader or a long download is not a hung instance); the caller's own deadline bounds the rest.
 */
import type { Runtime, Timer } from '../runtime.js';

export class Deadline {
  #timer: Timer | undefined;
  #fired = false;

  /** True once the deadline passed (and the attempt was told). */
  get fired(): boolean {
    return this.#fired;
  }

  /**
   * Arms the deadline: `onExpiry` runs `ms` after now unless `disarm()` comes first. When the
   * timer fires, the response may already be waiting in the socket, unread because this process
   * was busy (a stalled event loop fires timers late, all at once): I/O gets one more turn of the
   * event loop before the instance is blamed (a 0 ms timer runs after pending I/O callbacks,
   * which disarm this if the response was there).
   */
  arm(runtime: Runtime, ms: number, onExpiry: () => void): void {
    if (this.#timer !== undefined || this.#fired) return;
    this.#timer = runtime.setTimeout(
      () => {
        this.#timer = runtime.setTimeout(
          () => {
            this.#timer = undefined;
            this.#fired = true;
            onExpiry();
          },
          0,
          { unref: false },
        );
      },
      ms,
      { unref: false },
    );
  }

  disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
