/**
 * A service's attempt deadlines: the queue that fires them, and the bound each new attempt gets:
 * `retry.perAttemptTimeoutMs` when configured, else the bound learned from the service's own
 * times to headers (`learned-timeout.ts`), or none when turned off (`0` / `false`).
 */
import type { RetryConfig } from '../config/config.js';
import type { Runtime } from '../runtime.js';
import { DeadlineQueue } from './deadline.js';
import { LearnedTimeout } from './learned-timeout.js';

export class AttemptDeadlines {
  readonly queue: DeadlineQueue;
  /** Undefined when the deadline is configured or off. */
  readonly learned: LearnedTimeout | undefined;

  constructor(
    private readonly retry: RetryConfig,
    runtime: Runtime,
  ) {
    this.queue = new DeadlineQueue(runtime);
    this.learned = retry.learnedTimeout && new LearnedTimeout(retry.learnedTimeout);
  }

  /** The deadline of an attempt starting `now`, ms, or undefined when off. */
  timeoutMs(now: number): number | undefined {
    return this.retry.perAttemptTimeoutMs ?? this.learned?.boundMs(now);
  }

  /** A time to headers (or an attempt cut short at its learned bound), for the learned bound. */
  record(latencyMs: number): void {
    this.learned?.record(latencyMs);
  }
}
