/**
 * The handler of one attempt: it reports the attempt's facts to the core (`attempt.headers()`,
 * `attempt.end()`), arms the per-attempt timeout, and passes on what the caller may see to its
 * owner, the request's `BalancedHandler`. Once an attempt is over for us (retried, failed,
 * cancelled, timed out, ended), every later callback from undici is ignored and the transport is
 * aborted, so each attempt reports exactly one outcome.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { isOtherAttempt, type Attempt, type ResponseFacts } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import type { AttemptBody } from './body-copy.js';

type Controller = Dispatcher.DispatchController;

/** What an attempt tells the request it belongs to. */
export interface AttemptOwner {
  /** The attempt connected: the caller's pause, resume and raw headers now reach `controller`. */
  attach(controller: Controller): void;
  /** The core said retry after `delayMs`. */
  retry(delayMs: number): void;
  /** A response head for the caller: a 1xx, or the final response the core accepted. */
  responseStart(statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void;
  data(chunk: Buffer): void;
  upgrade(statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void;
  end(trailers: IncomingHttpHeaders): void;
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

/** The handler of one attempt: reports its facts to the core and forwards what the caller may see. */
export class AttemptHandler implements Dispatcher.DispatchHandler {
  readonly #request: AttemptOwner;
  readonly #attempt: Attempt;
  /** The request body this attempt sends, and what became of it (see `body-copy.ts`). */
  readonly #body: AttemptBody;
  #controller: Controller | null = null;
  /** Why the attempt is over for us, once it is; also the reason a late-starting transport is aborted with. */
  #over: Error | undefined;

  constructor(request: AttemptOwner, attempt: Attempt, body: AttemptBody) {
    this.#request = request;
    this.#attempt = attempt;
    this.#body = body;
    attempt.arm((error) => this.#timedOut(error));
    // A hedged request's attempt that lost (another answered first): the core already ended it.
    attempt.onCancel((reason) => this.#drop(reason));
  }

  onRequestStart(controller: Controller): void {
    if (this.#over) return controller.abort(this.#over);
    this.#controller = controller;
    this.#request.attach(controller);
  }

  onRequestUpgrade(_controller: Controller, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (this.#over) return void socket.destroy();
    this.#attempt.end({ status: statusCode });
    this.#request.upgrade(statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.#over) return;
    if (statusCode < 200) return this.#request.responseStart(statusCode, headers, statusMessage); // 1xx: not final
    // The body's fate (copied whole, or partly consumed) decides whether a retry may resend it.
    // `headers()` also ends the attempt deadline: the caller reads the body at its own pace.
    const facts: ResponseFacts = { status: statusCode, headers, ...this.#body.fate() };
    const decision = this.#attempt.headers(facts);
    if (decision.retry) {
      this.#over = discarded();
      controller.abort(this.#over);
      return this.#request.retry(decision.delayMs);
    }
    if (isOtherAttempt(decision)) return this.#drop(dropped());
    // The accepted response (a hedge's, maybe): the caller's pause and resume now reach it.
    this.#request.attach(controller);
    this.#request.responseStart(statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (!this.#over) this.#request.data(chunk);
  }

  onResponseEnd(_controller: Controller, trailers: IncomingHttpHeaders): void {
    if (this.#over) return;
    this.#over = COMPLETED;
    this.#attempt.end({});
    this.#request.end(trailers);
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    if (this.#over) return;
    this.#over = error;
    // An error about the request itself (undici refusing a bad header, say) is classified by the
    // core as an invalid request: no instance is blamed and nothing is retried.
    this.#failed(error);
  }

  /** The caller gave up: not the instance's fault. */
  cancel(reason: Error): void {
    if (this.#over) return;
    this.#over = reason;
    this.#attempt.end({ cancelledBy: 'caller' });
    this.#controller?.abort(reason);
    this.#body.abandon(reason);
  }

  /**
   * The per-attempt timeout fired. The attempt fails at once, even if it is still waiting for a
   * connection (undici gives no controller until then: it is aborted when it starts).
   */
  #timedOut(error: Error): void {
    if (this.#over) return;
    this.#over = error;
    this.#controller?.abort(error);
    this.#failed(error);
  }

  #failed(error: Error): void {
    // A timeout is known to the core (its deadline fired); the error is what undici then said.
    const decision = this.#attempt.end({ error, ...this.#body.fate() });
    this.#body.abandon(error);
    if (decision.retry) this.#request.retry(decision.delayMs);
    else if (!isOtherAttempt(decision)) this.#request.fail(error);
  }

  /** Not this attempt's result to give (it lost its hedged race, or failed while another runs): aborted, dropped. */
  #drop(reason: Error): void {
    if (this.#over) return;
    this.#over = reason;
    this.#controller?.abort(reason);
    this.#body.abandon(reason);
  }
}

