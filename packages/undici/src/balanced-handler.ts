/**
 * The handler of one balanced request. It decorates the caller's undici handler: the caller sees
 * one request (exactly one `onRequestStart`, then the response of the attempt the core accepted,
 * then exactly one terminal callback), while underneath each attempt is dispatched to the
 * instance the core picked. Every decision (which instance, is it a failure, retry or not, how
 * long to wait) comes from the core's `Call` and `Attempt`; this file only translates undici's
 * handler lifecycle into them.
 *
 * Each attempt has its own handler (`attempt-handler.ts`), which reports to the core and passes on
 * to this one what the caller may see. Only undici's new handler API is used (undici 8 removed the
 * legacy one), and every callback is forwarded by name: handlers are class instances, so
 * spreading them would lose their methods.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Attempt, Call } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import { AttemptHandler, type AttemptOwner } from './attempt-handler.js';
import type { RequestBody } from './body-copy.js';
import { withHost } from './headers.js';

type Controller = Dispatcher.DispatchController;
type Handler = Dispatcher.DispatchHandler;
type Dispatch = (opts: Dispatcher.DispatchOptions, handler: Handler) => boolean;

/** The reason given to the caller when it aborts without one, as undici does. */
function abortedError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
}

/**
 * The controller the caller holds for the whole request, across attempts and backoff: pause and
 * resume reach the current attempt (a pause is kept for the next one), and abort cancels the
 * request wherever it is.
 */
class RequestController implements Controller {
  #paused = false;
  #aborted = false;
  #reason: Error | null = null;
  #target: Controller | undefined;

  constructor(private readonly onAbort: (reason: Error) => void) {}

  set target(target: Controller | undefined) {
    this.#target = target;
    if (this.#paused) target?.pause();
  }
  get aborted(): boolean {
    return this.#aborted;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get reason(): Error | null {
    return this.#reason;
  }
  get rawHeaders(): Controller['rawHeaders'] {
    return this.#target?.rawHeaders ?? null;
  }
  get rawTrailers(): Controller['rawTrailers'] {
    return this.#target?.rawTrailers ?? null;
  }
  pause(): void {
    this.#paused = true;
    this.#target?.pause();
  }
  resume(): void {
    this.#paused = false;
    this.#target?.resume();
  }
  abort(reason?: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? abortedError();
    this.onAbort(this.#reason);
  }
}

/** Drives one call: dispatches attempts, waits out backoff, and talks to the caller's handler. */
export class BalancedHandler implements AttemptOwner {
  readonly #call: Call;
  readonly #dispatch: Dispatch;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #body: RequestBody;
  readonly #caller: Handler;
  readonly #controller = new RequestController((reason) => this.#cancel(reason));
  /** The attempts of the current round still to hear from: one, or several when hedged. */
  #attempts: AttemptHandler[] = [];
  #backoff: AbortController | undefined;
  /** True once the caller got its terminal callback. */
  #settled = false;

  /**
   * `opts` are the caller's dispatch options, with headers that can be read again (see
   * `replayableHeaders`); each attempt sends them to its instance's origin, with the body `body`
   * gives it.
   */
  constructor(call: Call, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, body: RequestBody, caller: Handler) {
    this.#call = call;
    this.#dispatch = dispatch;
    this.#opts = opts;
    this.#body = body;
    this.#caller = caller;
  }

  /**
   * Tells the caller the request started (so that its abort works from now on, even while no
   * attempt is connected or during backoff), then sends the first attempt.
   */
  start(): boolean {
    if (!this.#settled) {
      try {
        this.#caller.onRequestStart?.(this.#controller, null);
      } catch (error) {
        this.#cancel(error as Error);
      }
    }
    if (this.#settled) return true;
    // Hedged requests: the core starts extra attempts on its timer; each is sent like the first.
    this.#call.hedge((attempt) => {
      if (!this.#settled) this.#send(attempt);
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
    const attempt = new AttemptHandler(this, picked, body);
    this.#attempts.push(attempt);
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
      attempt.onResponseError(null, error as Error);
      return true;
    }
  }

  /** An attempt connected: the caller's pause, resume and raw headers now reach it. */
  attach(controller: Controller): void {
    this.#controller.target = controller;
  }

  /** The core said retry: wait `delayMs` (the caller's abort cuts it short), then pick again. */
  retry(delayMs: number): void {
    if (this.#settled) return;
    this.#attempts = [];
    this.#controller.target = undefined;
    const backoff = new AbortController();
    this.#backoff = backoff;
    this.#call.delay(delayMs, backoff.signal).then(
      () => {
        this.#backoff = undefined;
        if (!this.#settled) this.#next();
      },
      () => {}, // aborted by #cancel, which already told the caller
    );
  }

  responseStart(statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.#settled) return;
    try {
      this.#caller.onResponseStart?.(this.#controller, statusCode, headers, statusMessage);
    } catch (error) {
      this.#cancel(error as Error);
    }
  }
  data(chunk: Buffer): void {
    if (this.#settled) return;
    try {
      this.#caller.onResponseData?.(this.#controller, chunk);
    } catch (error) {
      this.#cancel(error as Error);
    }
  }
  upgrade(statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#caller.onRequestUpgrade?.(this.#controller, statusCode, headers, socket);
  }
  end(trailers: IncomingHttpHeaders): void {
    if (this.#settled) return;
    this.#settled = true;
    try {
      this.#caller.onResponseEnd?.(this.#controller, trailers);
    } catch (error) {
      // As undici does: a handler that throws from onResponseEnd gets the error through
      // onResponseError. undici's retry handler ends a response it wants to retry that way
      // (`throwOnError`); swallowing the throw left its request pending forever.
      this.#caller.onResponseError?.(this.#controller, error as Error);
    }
  }
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#caller.onResponseError?.(this.#controller, error);
  }

  /**
   * The caller aborted (or its handler threw): the current attempt ends as cancelled, which
   * frees the instance without blaming it, backoff stops, and the caller gets the reason.
   */
  #cancel(reason: Error): void {
    if (this.#settled) return;
    for (const attempt of this.#attempts) attempt.cancel(reason);
    this.#backoff?.abort();
    this.fail(reason);
  }
}
