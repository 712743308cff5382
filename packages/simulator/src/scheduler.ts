/**
 * The discrete-event scheduler: one virtual clock for the whole simulation, a priority queue of
 * timers, and `Runtime` views of it for the core (each with its own seeded random stream).
 *
 * Determinism: events run in order of (time, scheduling order); nothing reads the real clock.
 * The core and the driver use promises (health checks, backoff), whose callbacks are microtasks:
 * after every event the scheduler lets the microtask queue drain completely before the next
 * event, so a continuation sees the virtual time of the event that caused it, and it runs at the
 * same point on every run. The drain costs no macrotask: the loop's next step is queued as a
 * `process.nextTick` from a microtask queued after the event, and Node runs ticks only once the
 * microtask queue is empty (measured: about 0.5 us per event against 2 us for `setImmediate`).
 * Every `YIELD_EVERY` events the loop yields to the real event loop once, so a long run does not
 * starve I/O (test runners, signals, progress output).
 */
import { seededRandom, TimerHeap, type Runtime, type Timer, type TimerHeapEntry } from '@datapunk/balancer/testing';

/**
 * A scheduled event. `cancel()` takes it out of the queue at once (it knows its place in the
 * heap), so cancelled timers (health-check timeouts, deadlines) neither fill the heap nor keep
 * their closures alive until their time. Idempotent.
 */
class Entry implements Timer, TimerHeapEntry {
  /** Position in the heap; -1 once run or cancelled. */
  heapIndex = -1;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
    private readonly owner: Scheduler,
  ) {}
  cancel(): void {
    if (this.heapIndex >= 0) this.owner.remove(this);
  }
}

const YIELD_EVERY = 20_000;
/** Virtual wall clock at time 0: 2026-01-01T00:00:00Z (only Retry-After dates read it). */
const WALL_START = Date.UTC(2026, 0, 1);

/** The virtual clock and its event queue that the simulated fleet and the real core run on. */
export class Scheduler {
  private time = 0;
  private seq = 0;
  private readonly heap = new TimerHeap<Entry>();
  /** Events run so far. */
  events = 0;

  /** Virtual time, ms. */
  get now(): number {
    return this.time;
  }

  /** Runs `fn` at `now + delayMs` (clamped to >= 0). */
  after(delayMs: number, fn: () => void): Timer {
    const e = new Entry(this.time + (delayMs > 0 ? delayMs : 0), this.seq++, fn, this);
    this.heap.push(e);
    return e;
  }

  /** A `Runtime` on this clock with its own random stream, seeded by `seed`. */
  runtime(seed: number): Runtime {
    const random = seededRandom(seed);
    return {
      now: () => this.time,
      setTimeout: (fn, delayMs) => this.after(delayMs, fn),
      random,
      wallNow: () => WALL_START + this.time,
    };
  }

  /**
   * Runs every event due up to `untilMs`, draining microtasks after each, then sets the clock to
   * `untilMs`. Rejects with the first error an event throws.
   */
  run(untilMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (): void => {
        const e = this.popDue(untilMs);
        if (e === undefined) {
          if (this.time < untilMs) this.time = untilMs;
          // Continuations of the last event ran before this step; let late ones settle too.
          setImmediate(resolve);
          return;
        }
        this.time = e.at;
        this.events++;
        try {
          e.fn();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (this.events % YIELD_EVERY === 0) queueMicrotask(() => setImmediate(step));
        else queueMicrotask(() => process.nextTick(step));
      };
      process.nextTick(step);
    });
  }

  /** Events queued. */
  get queued(): number {
    return this.heap.size;
  }

  /** @internal Takes a cancelled entry out of the heap. */
  remove(e: Entry): void {
    this.heap.remove(e);
  }

  private popDue(untilMs: number): Entry | undefined {
    const top = this.heap.peek();
    if (top === undefined || top.at > untilMs) return undefined;
    this.heap.remove(top);
    return top;
  }
}
