/**
 * The retry budget (Finagle's RetryBudget, Envoy's retry budgets): retries may be at most a share
 * of requests over a sliding window, plus a small fixed rate so low-traffic callers can still
 * retry. This is what stops retries from multiplying an outage.
 */
import type { RetryBudgetConfig } from '../config/config.js';

const BUCKETS = 10;

export class RetryBudget {
  private readonly bucketMs: number;
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  /** Index (time / bucketMs) of the newest bucket written. */
  private head = -Infinity;
  /** The bucket of `head`, kept beside it: two floating-point remainders per request otherwise. */
  private headSlot = 0;

  constructor(
    private readonly config: RetryBudgetConfig,
    private readonly now: () => number,
  ) {
    this.bucketMs = config.windowMs / BUCKETS;
  }

  /** Counts a request (a first attempt); `now`: the runtime's time when already read, ms. */
  deposit(now?: number): void {
    this.requests[this.advance(now)]!++;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryWithdraw(): boolean {
    const i = this.advance();
    if (this.sum(this.retries) + 1 > this.allowed()) return false;
    this.retries[i]!++;
    return true;
  }

  /** Retries allowed in the current window. */
  allowed(): number {
    this.advance();
    return (this.sum(this.requests) * this.config.percent) / 100 + (this.config.minRetriesPerSecond * this.config.windowMs) / 1000;
  }

  /** Figures for snapshots. */
  state(): { requests: number; retries: number; allowed: number } {
    const allowed = this.allowed();
    return { requests: this.sum(this.requests), retries: this.sum(this.retries), allowed: Math.floor(allowed) };
  }

  private sum(a: Float64Array): number {
    let s = 0;
    for (const v of a) s += v;
    return s;
  }

  /** Clears buckets that slid out of the window; returns the current bucket's slot. */
  private advance(now: number = this.now()): number {
    const index = Math.floor(now / this.bucketMs);
    if (index > this.head) {
      const stale = Math.min(BUCKETS, index - this.head);
      for (let k = 0; k < stale; k++) {
        const slot = (((index - k) % BUCKETS) + BUCKETS) % BUCKETS;
        this.requests[slot] = 0;
        this.retries[slot] = 0;
      }
      this.head = index;
      this.headSlot = ((index % BUCKETS) + BUCKETS) % BUCKETS;
    }
    return this.headSlot;
  }
}
