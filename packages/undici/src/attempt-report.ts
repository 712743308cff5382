/**
 * What every attempt handler does, whichever of undici's handler APIs it speaks
 * (`attempt-handler.ts` for the new one, `legacy-attempt-handler.ts` for the legacy one): it
 * reports the attempt's facts to the core (`attempt.headers()`, `attempt.end()`), arms the
 * per-attempt deadline, and obeys the decisions. Once an attempt is over for us (retried, failed,
 * cancelled, timed out, ended), every later callback from undici is ignored and the transport is
 * aborted, so each attempt reports exactly one outcome.
 */
import { isOtherAttempt, type Attempt, type HeaderSource, type ResponseFacts } from '@datapunk/balancer/adapter';
import type { AttemptBody } from './body-copy.js';

/** What an attempt tells the request it belongs to, whichever handler API the two speak. */
export interface AttemptOwner {
  /** The core said retry after `delayMs`. */
  retry(delayMs: number): void;
  /** The request fails with `error` (no retry). */
  fail(error: Error): void;
}

const dropped = (): Error => new Error('response dropped: another attempt of this hedged request answers it');
const discarded = (): Error => new Error('response discarded: the request is retried on another instance');
/**
 * Marks an attempt that completed normally. One shared instance: capturing a stack deep in
 * undici's parser callbacks for every response cost 10-16 µs per request (bench profile).
 */
const COMPLETED: Error = new Error('attempt already completed');

/** One attempt's report to the core; subclasses translate undici's callbacks into these calls. */
export abstract class AttemptReport {
  readonly #owner: AttemptOwner;
  readonly #attempt: Attempt;
  /** The request body this attempt sends, and what became of it (see `body-copy.ts`). */
  readonly #body: AttemptBody;
  /** Why the attempt is over for us, once it is; also the reason a late-starting transport is aborted with. */
  protected over: Error | undefined;

  /** `hedged`: the call may run several attempts at once (`call.hedge()` said yes). */
  constructor(owner: AttemptOwner, attempt: Attempt, body: AttemptBody, hedged: boolean) {
    this.#owner = owner;
    this.#attempt = attempt;
    this.#body = body;
    attempt.arm((error) => this.#timedOut(error));
    // A hedged request's attempt that lost (another answered first): the core already ended it.
    if (hedged) attempt.onCancel((reason) => this.#drop(reason));
  }

  /** Aborts the transport with `reason`, once it started (until then, `over` aborts it when it does). */
  protected abstract abortTransport(reason: Error): void;

  /**
   * A final response head: true when it goes on to the caller. False when it does not: the core
   * retries elsewhere, or another attempt of a hedged call answers; the transport is then aborted.
   */
  protected accept(status: number, headers: HeaderSource): boolean {
    // The body's fate (copied whole, or partly consumed) decides whether a retry may resend it.
    // `headers()` also ends the attempt deadline: the caller reads the body at its own pace.
    const fate = this.#body.fate();
    const facts: ResponseFacts = { status, headers, bodyCopied: fate.bodyCopied, bodyConsumed: fate.bodyConsumed };
    const decision = this.#attempt.headers(facts);
    if (decision.retry) {
      this.over = discarded();
      this.abortTransport(this.over);
      this.#owner.retry(decision.delayMs);
      return false;
    }
    if (isOtherAttempt(decision)) {
      this.#drop(dropped());
      return false;
    }
    return true;
  }

  /** The response was an upgrade (its socket goes to the caller): the attempt ends with its status. */
  protected upgraded(status: number): void {
    this.#attempt.end({ status });
  }

  /** The response ended normally. */
  protected completed(): void {
    this.over = COMPLETED;
    this.#attempt.end();
  }

  /**
   * undici reported an error, or threw when the attempt was dispatched. An error about the
   * request itself (undici refusing a bad header, say) is classified by the core as an invalid
   * request: no instance is blamed and nothing is retried.
   */
  errored(error: Error): void {
    if (this.over) return;
    this.over = error;
    this.#failed(error);
  }

  /** The caller gave up: not the instance's fault. */
  cancel(reason: Error): void {
    if (this.over) return;
    this.over = reason;
    this.#attempt.end({ cancelledBy: 'caller' });
    this.abortTransport(reason);
    this.#body.abandon(reason);
  }

  /**
   * The per-attempt timeout fired. The attempt fails at once, even if it is still waiting for a
   * connection (undici gives no controller until then: it is aborted when it starts).
   */
  #timedOut(error: Error): void {
    if (this.over) return;
    this.over = error;
    this.abortTransport(error);
    this.#failed(error);
  }

  #failed(error: Error): void {
    // A timeout is known to the core (its deadline fired); the error is what undici then said.
    const decision = this.#attempt.end({ error, ...this.#body.fate() });
    this.#body.abandon(error);
    if (decision.retry) this.#owner.retry(decision.delayMs);
    else if (!isOtherAttempt(decision)) this.#owner.fail(error);
  }

  /** Not this attempt's result to give (it lost its hedged race, or failed while another runs): aborted, dropped. */
  #drop(reason: Error): void {
    if (this.over) return;
    this.over = reason;
    this.abortTransport(reason);
    this.#body.abandon(reason);
  }
}
