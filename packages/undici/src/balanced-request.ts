/**
 * One balanced request, whichever of undici's handler APIs its caller speaks: the caller sees
 * one request (one start, then the response of the attempt the core accepted, then exactly one
 * terminal callback), while underneath each attempt is dispatched to the instance the core
 * picked. Every decision (which instance, is it a failure, retry or not, how long to wait)
 * comes from the core's `Call` and `Attempt`; this file only sends the attempts and waits out
 * the backoff.
 *
 * Each attempt speaks the caller's API to undici (`BalancedHandler` with `AttemptHandler` for
 * the new one, `LegacyBalancedHandler` with `LegacyAttemptHandler` for the legacy one), so that
 * undici never converts a handler from one API to the other and back.
 */
import type { Attempt, Call } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import type { AttemptOwner, AttemptReport } from './attempt-report.js';
import type { AttemptBody, RequestBody } from './body-copy.js';
import { withHost } from './headers.js';

/** The next `dispatch`, with a handler of either API. */
export type Dispatch = (opts: Dispatcher.DispatchOptions, handler: object) => boolean;

/** The reason given to the caller when it aborts without one, as undici does. */
export function abortedError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
}

/** Drives one call: dispatches attempts, waits out backoff; subclasses talk to the caller. */
export abstract class BalancedRequest<A extends AttemptReport> implements AttemptOwner {
  readonly #call: Call;
  readonly #dispatch: Dispatch;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #body: RequestBody;
  /** The attempt of the current round still to hear from; hedges beside it in `#hedges`. */
  #attempt: A | undefined;
  #hedges: A[] | undefined;
  #hedged = false;
  #backoff: AbortController | undefined;
  /** True once the caller got its terminal callback. */
  protected settled = false;

  /**
   * `opts` are the caller's dispatch options, with headers that can be read again (see
   * `replayableHeaders`); each attempt sends them to its instance's origin, with the body `body`
   * gives it.
   */
  constructor(call: Call, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, body: RequestBody) {
    this.#call = call;
    this.#dispatch = dispatch;
    this.#opts = opts;
    this.#body = body;
  }

  /** Tells the caller the request started (its abort works from then on); may settle it. */
  protected abstract startCaller(): void;
  /** The caller's terminal error callback. */
  protected abstract failCaller(error: Error): void;
  /** The handler of a new attempt, in the caller's API. */
  protected abstract newAttempt(attempt: Attempt, body: AttemptBody, hedged: boolean): A;
  /** Between attempts: nothing is connected. */
  protected detach(): void {}

  /**
   * Tells the caller the request started (so that its abort works from now on, even while no
   * attempt is connected or during backoff), then sends the first attempt.
   */
  start(): boolean {
    if (!this.settled) this.startCaller();
    if (this.settled) return true;
    // Hedged requests: the core starts extra attempts on its timer; each is sent like the first.
    this.#hedged = this.#call.hedge((attempt) => {
      if (!this.settled) this.#send(attempt);
    });
    return this.#next();
  }

  #next(): boolean {
    const picked = this.#call.next();
    if (!picked.ok) {
      this.fail(picked.error);
      return true;
    }
    return this.#send(picked);
  }

  #send(picked: Attempt): boolean {
    const body = this.#body.forAttempt();
    const attempt = this.newAttempt(picked, body, this.#hedged);
    if (this.#attempt === undefined) this.#attempt = attempt;
    else (this.#hedges ??= []).push(attempt);
    const { origin, hostHeader, servername } = picked.target;
    // A copy per attempt (undici may keep it); assigned fields rather than conditional spreads,
    // which cost a visible share of the hot path.
    const opts: Dispatcher.DispatchOptions & { servername?: string } = { ...this.#opts };
    opts.origin = origin;
    // Only when it differs: adding a `body` key the caller did not give costs a shape change.
    if (body.body !== opts.body) opts.body = body.body;
    if (hostHeader !== undefined) opts.headers = withHost(this.#opts.headers, hostHeader);
    if (servername !== undefined) opts.servername = servername;
    try {
      return this.#dispatch(opts, attempt);
    } catch (error) {
      attempt.errored(error as Error);
      return true;
    }
  }

  /** The core said retry: wait `delayMs` (the caller's abort cuts it short), then pick again. */
  retry(delayMs: number): void {
    if (this.settled) return;
    this.#attempt = undefined;
    this.#hedges = undefined;
    this.detach();
    const backoff = new AbortController();
    this.#backoff = backoff;
    this.#call.delay(delayMs, backoff.signal).then(
      () => {
        this.#backoff = undefined;
        if (!this.settled) this.#next();
      },
      () => {}, // aborted by cancel, which already told the caller
    );
  }

  /** The request fails with `error`: the caller's terminal callback. */
  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.failCaller(error);
  }

  /**
   * The caller aborted (or its handler threw): the current attempts end as cancelled, which
   * frees their instances without blaming them, backoff stops, and the caller gets the reason.
   */
  cancel(reason: Error): void {
    if (this.settled) return;
    this.#attempt?.cancel(reason);
    if (this.#hedges) for (const attempt of this.#hedges) attempt.cancel(reason);
    this.#backoff?.abort();
    this.fail(reason);
  }
}
