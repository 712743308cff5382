/**
 * The runtime: the only place the core reads the clock, schedules timers or draws random numbers.
 *
 * Every component takes a `Runtime` instead of calling `Date.now`, `setTimeout` or `Math.random`
 * directly, so that tests (and a simulator) can drive time and randomness deterministically.
 * See `testing/fake-runtime.ts` for the fake used by tests.
 */

import { performance } from 'node:perf_hooks';

/** A scheduled timer; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
  /**
   * Changes whether the pending timer keeps the process alive (Node's `ref()` / `unref()`).
   * Optional: without it, the core cancels such a timer and sets a new one when it needs it again.
   */
  keepAlive?(keep: boolean): void;
}

/** Options of `Runtime.setTimeout`. */
export interface TimerOptions {
  /**
   * When true the timer does not keep the process alive (Node's `unref`). Background work
   * (health checks, ejection expiry, drain timeouts, discovery refresh) uses `true`; timers on a
   * request's path (retry backoff) use `false`, or a script awaiting a request could exit early.
   * Defaults to `true`.
   */
  readonly unref?: boolean;
}

/** Time and randomness, injected: the real clock by default, a fake one in tests and the simulator. */
export interface Runtime {
  /** Monotonic time in milliseconds. Only differences are meaningful. */
  now(): number;
  /** Runs `fn` once after `delayMs` milliseconds (clamped to >= 0). */
  setTimeout(fn: () => void, delayMs: number, options?: TimerOptions): Timer;
  /** A uniformly distributed number in [0, 1). */
  random(): number;
  /** Wall-clock time, ms since the epoch; used only to read HTTP dates (Retry-After). */
  wallNow(): number;
}

/** Node's `setTimeout` cannot take more than 2^31-1 ms; longer delays fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The real runtime: `performance.now()`, Node timers and `Math.random()`. `performance` is
 * imported rather than read as a global: Node defines the global as a lazy getter, which costs a
 * global lookup and a getter call on every read (about 300 instructions per request, measured).
 */
export const realRuntime: Runtime = Object.freeze({
  now: () => performance.now(),
  setTimeout(fn: () => void, delayMs: number, options?: TimerOptions): Timer {
    const handle = setTimeout(fn, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
    if (options?.unref ?? true) handle.unref();
    return { cancel: () => clearTimeout(handle), keepAlive: (keep) => void (keep ? handle.ref() : handle.unref()) };
  },
  random: () => Math.random(),
  wallNow: () => Date.now(),
});

/**
 * Waits `delayMs` on the runtime's clock; rejects with the signal's reason if `signal` aborts
 * first. The timer keeps the process alive (it sits on a request's path).
 */
export function delay(runtime: Runtime, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (delayMs <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = runtime.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      delayMs,
      { unref: false },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
