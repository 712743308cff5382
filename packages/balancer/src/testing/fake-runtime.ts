import type { Runtime, Timer, TimerOptions } from '../runtime.js';
import { seededRandom } from './random.js';

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  unref: boolean;
  cancelled: boolean;
}

/** A runtime whose clock only moves when told to, with seeded randomness. */
export interface FakeRuntime extends Runtime {
  /** Moves the clock forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void;
  /**
   * Like `advance`, but lets promise callbacks settle (a few macrotask turns) before and after
   * each timer fires, so async work started by timers (health checks) can complete.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Lets pending promise callbacks settle without moving the clock. */
  settle(): Promise<void>;
  /** Timers scheduled and not yet fired or cancelled. */
  pendingTimers(options?: { includeUnref?: boolean }): number;
  /** Replaces the random source (e.g. a fixed sequence). */
  setRandom(random: () => number): void;
}

/** Options of `createFakeRuntime`: start time, wall-clock epoch and seed. */
export interface FakeRuntimeOptions {
  /** Starting value of `now()`, ms. Defaults to 0. */
  readonly start?: number;
  /** Wall-clock epoch ms at `now() = 0`. Defaults to 2026-01-01T00:00:00Z. */
  readonly wallStart?: number;
  /** Seed for `random()`. Defaults to 1. */
  readonly seed?: number;
}

/** Creates a deterministic runtime for tests: no real time passes, randomness is seeded. */
export function createFakeRuntime(options: FakeRuntimeOptions = {}): FakeRuntime {
  let now = options.start ?? 0;
  const wallStart = options.wallStart ?? Date.UTC(2026, 0, 1);
  let seq = 0;
  let random = seededRandom(options.seed ?? 1);
  let queue: Scheduled[] = [];

  const nextDue = (until: number): Scheduled | undefined => {
    let best: Scheduled | undefined;
    for (const s of queue) {
      if (s.cancelled || s.at > until) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  };
  const take = (s: Scheduled): void => {
    queue = queue.filter((q) => q !== s && !q.cancelled);
    now = Math.max(now, s.at);
    s.fn();
  };
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  return {
    now: () => now,
    random: () => random(),
    wallNow: () => wallStart + now,
    setTimeout(fn: () => void, delayMs: number, timerOptions?: TimerOptions): Timer {
      const s: Scheduled = {
        at: now + Math.max(0, delayMs),
        seq: seq++,
        fn,
        unref: timerOptions?.unref ?? true,
        cancelled: false,
      };
      queue.push(s);
      return {
        cancel: () => {
          s.cancelled = true;
        },
        keepAlive: (keep) => {
          s.unref = !keep;
        },
      };
    },
    advance(ms: number): void {
      const until = now + ms;
      for (let s = nextDue(until); s; s = nextDue(until)) take(s);
      now = until;
    },
    async advanceAsync(ms: number): Promise<void> {
      const until = now + ms;
      await settle();
      for (let s = nextDue(until); s; s = nextDue(until)) {
        take(s);
        await settle();
      }
      now = until;
      await settle();
    },
    settle,
    pendingTimers(opts?: { includeUnref?: boolean }): number {
      const includeUnref = opts?.includeUnref ?? true;
      return queue.filter((s) => !s.cancelled && (includeUnref || !s.unref)).length;
    },
    setRandom(r: () => number): void {
      random = r;
    },
  };
}
