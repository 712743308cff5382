/**
 * The race of one hedged call: the attempts still waiting for their response headers, and the
 * timer that sends the next one. The first response the core accepts wins; every other attempt
 * still pending loses: the core ends it as cancelled (`by: 'hedge'`, so its instance is never
 * blamed and its in-flight count drops at once) and asks the adapter to abort its transport.
 *
 *   attempt starts (first, or a retry)   -> arm: after `policy.delayMs()`, start a hedge
 *   timer fires, nobody answered yet     -> a hedge on an instance not yet tried, within the
 *                                           budget and `maxAttempts`; arm again for the next
 *   an attempt fails, others pending     -> dropped (`other-attempt`): the others carry on
 *   a response is accepted               -> it wins: the timer stops, the others lose
 *   the caller gives up on one           -> the others lose too
 */
import type { Timer } from '../runtime.js';
import type { Runtime } from '../runtime.js';
import type { HedgePolicy } from './policy.js';

/** What the race needs of an attempt. */
export interface Racer {
  /** Ends the attempt as cancelled by the hedge (never blamed) and aborts its transport. */
  lose(): void;
}

/** The reason a losing attempt's transport is aborted with. */
export function hedgeLostError(): Error {
  return Object.assign(new Error('another attempt of this request answered first (hedged request)'), { code: 'ERR_BALANCER_HEDGE_LOST' });
}

export class HedgeRace<A extends Racer> {
  #pending: A[] = [];
  #over = false;
  #timer: Timer | undefined;

  constructor(
    private readonly policy: HedgePolicy,
    private readonly runtime: Runtime,
    /** Starts an extra attempt (undefined when refused); the race hands it to `launch`. */
    private readonly startHedge: () => A | undefined,
    private readonly launch: (attempt: A) => void,
  ) {}

  /** Attempts waiting for their response headers. */
  get pending(): number {
    return this.#pending.length;
  }

  /** True once the call's result is decided (a response won, or it failed or was given up). */
  get over(): boolean {
    return this.#over;
  }

  /** An attempt was started by the call (its first, or a retry). */
  started(attempt: A): void {
    if (this.#over) return;
    this.#pending.push(attempt);
    this.#arm();
  }

  /** `attempt` answered or ended: it no longer waits. The timer stops when none does. */
  settled(attempt: A): void {
    const i = this.#pending.indexOf(attempt);
    if (i >= 0) this.#pending.splice(i, 1);
    if (this.#pending.length === 0) this.#stop();
  }

  /** The call is over (won, failed, given up): the timer stops and the attempts still pending lose. */
  end(): void {
    this.#over = true;
    this.#stop();
    const losers = this.#pending;
    this.#pending = [];
    for (const loser of losers) loser.lose();
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#over || this.#timer !== undefined || this.#pending.length >= this.policy.maxAttempts) return;
    const delayMs = this.policy.delayMs(this.runtime.now());
    if (delayMs === undefined) return;
    this.#timer = this.runtime.setTimeout(() => this.#fire(), delayMs);
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#over || this.#pending.length === 0 || this.#pending.length >= this.policy.maxAttempts) return;
    const attempt = this.startHedge();
    if (attempt === undefined) return; // refused (budget, no other instance): not asked again for this wait
    this.#pending.push(attempt);
    this.#arm();
    this.launch(attempt);
  }
}
