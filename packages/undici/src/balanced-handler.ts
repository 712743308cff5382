/**
 * The handler of one balanced request whose caller speaks undici's new handler API
 * (`onRequestStart`, `onResponseStart`...): undici 8's `request` and `fetch`, interceptors
 * composed around the balancer, undici's own retry and redirect handlers. The request's attempts
 * (`balanced-request.ts`) speak the same API to undici (`attempt-handler.ts`); this file
 * translates between them and the caller. Every callback is forwarded by name: handlers are class
 * instances, so spreading them would lose their methods.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Attempt, Call } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import { AttemptHandler, type AttemptOwner } from './attempt-handler.js';
import { abortedError, BalancedRequest, type Dispatch } from './balanced-request.js';
import type { AttemptBody, RequestBody } from './body-copy.js';

type Controller = Dispatcher.DispatchController;
type Handler = Dispatcher.DispatchHandler;

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

  constructor(private readonly request: { cancel(reason: Error): void }) {}

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
    this.request.cancel(this.#reason);
  }
}

/** Talks to a caller in the new handler API; `BalancedRequest` drives the attempts. */
export class BalancedHandler extends BalancedRequest<AttemptHandler> implements AttemptOwner {
  readonly #caller: Handler;
  readonly #controller = new RequestController(this);

  constructor(call: Call, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, body: RequestBody, caller: Handler) {
    super(call, dispatch, opts, body);
    this.#caller = caller;
  }

  protected startCaller(): void {
    try {
      this.#caller.onRequestStart?.(this.#controller, null);
    } catch (error) {
      this.cancel(error as Error);
    }
  }

  protected newAttempt(attempt: Attempt, body: AttemptBody, hedged: boolean): AttemptHandler {
    return new AttemptHandler(this, attempt, body, hedged);
  }

  protected override detach(): void {
    this.#controller.target = undefined;
  }

  /** An attempt connected: the caller's pause, resume and raw headers now reach it. */
  attach(controller: Controller): void {
    this.#controller.target = controller;
  }

  responseStart(statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.settled) return;
    try {
      this.#caller.onResponseStart?.(this.#controller, statusCode, headers, statusMessage);
    } catch (error) {
      this.cancel(error as Error);
    }
  }
  data(chunk: Buffer): void {
    if (this.settled) return;
    try {
      this.#caller.onResponseData?.(this.#controller, chunk);
    } catch (error) {
      this.cancel(error as Error);
    }
  }
  upgrade(statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (this.settled) return;
    this.settled = true;
    this.#caller.onRequestUpgrade?.(this.#controller, statusCode, headers, socket);
  }
  end(trailers: IncomingHttpHeaders): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.#caller.onResponseEnd?.(this.#controller, trailers);
    } catch (error) {
      // As undici does: a handler that throws from onResponseEnd gets the error through
      // onResponseError. undici's retry handler ends a response it wants to retry that way
      // (`throwOnError`); swallowing the throw left its request pending forever.
      this.#caller.onResponseError?.(this.#controller, error as Error);
    }
  }
  protected failCaller(error: Error): void {
    this.#caller.onResponseError?.(this.#controller, error);
  }
}
