/**
 * Finite capacity for a test server: a fixed number of workers and a bounded FIFO queue, the way
 * a real instance (a thread pool, a connection pool to its database) takes load. A request waits
 * for a free worker and its service time (the behaviour's latency) starts only then; past the
 * queue it is refused at once (503). Without capacity a server answers every request after its
 * own timer, i.e. has unlimited capacity, and a balancer that sends everything to one instance
 * pays nothing for it.
 */

/** Options of a server's capacity. */
export interface CapacityOptions {
  /** Requests served at once (an integer >= 1). */
  readonly workers: number;
  /** Requests that may wait for a worker (an integer >= 0); one more is answered 503 at once. */
  readonly queue: number;
}

/** Queue figures since the last reset. */
export interface QueueStats {
  /** Requests being served now. */
  readonly busy: number;
  /** Requests waiting now. */
  readonly queued: number;
  /** Most requests waiting at once. */
  readonly maxQueued: number;
  /** Time-weighted mean of the requests waiting, over the time since the last reset. */
  readonly meanQueued: number;
  /** Requests refused because the queue was full. */
  readonly refused: number;
}

/** The workers and the queue; `now` is a millisecond clock (injected for tests). */
export class Workers {
  readonly #workers: number;
  readonly #limit: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  #busy = 0;
  #maxQueued = 0;
  #refused = 0;
  #area = 0;
  /** Worker-milliseconds spent serving since the start (never reset). */
  #busyArea = 0;
  #since: number;
  #last: number;

  constructor(options: CapacityOptions, now: () => number = () => performance.now()) {
    const int = (v: number, min: number): boolean => Number.isSafeInteger(v) && v >= min;
    const problems = [
      ...(int(options.workers, 1) ? [] : [`capacity.workers: expected an integer >= 1, got ${String(options.workers)}`]),
      ...(int(options.queue, 0) ? [] : [`capacity.queue: expected an integer >= 0, got ${String(options.queue)}`]),
    ];
    if (problems.length > 0) throw new RangeError(`invalid testkit capacity:\n  ${problems.join('\n  ')}`);
    this.#workers = options.workers;
    this.#limit = options.queue;
    this.#now = now;
    this.#since = this.#last = now();
  }

  /**
   * Asks for a worker: `start` runs (at once or when one frees up) and must be followed by one
   * `release()`. Returns false, without calling `start`, when the queue is full; otherwise a
   * function that withdraws the request if it is still waiting (its caller went away).
   */
  acquire(start: () => void): false | (() => void) {
    if (this.#busy < this.#workers) {
      this.#account();
      this.#busy++;
      start();
      return () => {};
    }
    if (this.#waiting.length >= this.#limit) {
      this.#refused++;
      return false;
    }
    this.#account();
    this.#waiting.push(start);
    if (this.#waiting.length > this.#maxQueued) this.#maxQueued = this.#waiting.length;
    return () => {
      const i = this.#waiting.indexOf(start);
      if (i < 0) return;
      this.#account();
      this.#waiting.splice(i, 1);
    };
  }

  /** A worker is free again: the oldest waiting request starts on it. */
  release(): void {
    this.#account();
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy--;
  }

  get stats(): QueueStats {
    this.#account();
    const span = this.#last - this.#since;
    return {
      busy: this.#busy,
      queued: this.#waiting.length,
      maxQueued: this.#maxQueued,
      meanQueued: span > 0 ? this.#area / span : this.#waiting.length,
      refused: this.#refused,
    };
  }

  /** Worker time spent serving since the workers were created, in worker-milliseconds (monotonic). */
  get busyMs(): number {
    this.#account();
    return this.#busyArea;
  }

  /** How many workers there are. */
  get size(): number {
    return this.#workers;
  }

  /** Starts the figures afresh (the requests waiting now stay). */
  resetStats(): void {
    this.#account();
    this.#since = this.#last;
    this.#area = 0;
    this.#maxQueued = this.#waiting.length;
    this.#refused = 0;
  }

  #account(): void {
    const now = this.#now();
    this.#area += this.#waiting.length * (now - this.#last);
    this.#busyArea += this.#busy * (now - this.#last);
    this.#last = now;
  }
}
