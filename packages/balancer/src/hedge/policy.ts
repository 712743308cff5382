/**
 * A service's hedging policy: when an extra attempt may be sent (a fixed delay, or the latency
 * quantile `maxExtraLoad` implies, from the service's own recent response-header latency) and
 * the budget that bounds how many are sent, so hedges stop when the whole fleet is slow
 * (overload) instead of adding to it. One per service; each call's race (`race.ts`) asks it.
 */
import type { HedgeConfig } from '../config/config.js';
import { RetryBudget } from '../retry/budget.js';
import type { Runtime } from '../runtime.js';
import { LatencyWindow } from './latency-window.js';

export class HedgePolicy {
  readonly #window: LatencyWindow | undefined;
  /** Hedges sent as a share of requests (the retry budget's arithmetic, its own counts). */
  readonly budget: RetryBudget | undefined;

  constructor(
    readonly config: HedgeConfig,
    private readonly runtime: Runtime,
  ) {
    const x = config.maxExtraLoad;
    this.#window = x === undefined ? undefined : new LatencyWindow(config.windowMs, config.refreshMs, 1 - x, Math.ceil(10 / x));
    this.budget = config.budget && new RetryBudget(config.budget, () => runtime.now());
  }

  get maxAttempts(): number {
    return this.config.maxAttempts;
  }

  /** A response's head arrived `ms` after its attempt started (any attempt of the service). */
  answered(ms: number, now: number): void {
    this.#window?.record(ms, now);
  }

  /** How long an attempt waits before the next one is sent, ms; undefined: do not hedge (yet). */
  delayMs(now: number): number | undefined {
    if (this.config.delayMs !== undefined) return this.config.delayMs;
    const q = this.#window!.value(now);
    return q === undefined ? undefined : Math.max(this.config.minDelayMs, q);
  }

  /** Counts a request (a call's first attempt). */
  deposit(now: number): void {
    this.budget?.deposit(now);
  }

  /** Takes one hedge from the budget; false when it is spent. */
  tryWithdraw(): boolean {
    return this.budget === undefined || this.budget.tryWithdraw();
  }
}
