/**
 * The handler of one balanced request whose caller speaks undici's legacy handler API
 * (`undici.request` and `fetch` in undici 7, Node's built-in `fetch`). The request's attempts
 * (`balanced-request.ts`) speak the same API to undici (`legacy-attempt-handler.ts`), so the
 * caller gets the accepted attempt's raw headers, trailers and `resume` as undici gave them:
 * a legacy caller pauses by returning false and resumes through the function it was given,
 * which is that attempt's own.
 */
import type { Duplex } from 'node:stream';
import type { Attempt, Call } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import { abortedError, BalancedRequest, type Dispatch } from './balanced-request.js';
import type { AttemptBody, RequestBody } from './body-copy.js';
import { LegacyAttemptHandler, type LegacyAttemptOwner, type LegacyHandler, type RawHeaderList } from './legacy-attempt-handler.js';

/** Talks to a caller in the legacy handler API; `BalancedRequest` drives the attempts. */
export class LegacyBalancedHandler extends BalancedRequest<LegacyAttemptHandler> implements LegacyAttemptOwner {
  readonly #caller: LegacyHandler;

  constructor(call: Call, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, body: RequestBody, caller: LegacyHandler) {
    super(call, dispatch, opts, body);
    this.#caller = caller;
  }

  protected startCaller(): void {
    try {
      // The caller's abort works for the whole request, across attempts and backoff.
      this.#caller.onConnect((reason) => this.cancel(reason ?? abortedError()), null);
    } catch (error) {
      this.cancel(error as Error);
    }
  }

  protected newAttempt(attempt: Attempt, body: AttemptBody, hedged: boolean): LegacyAttemptHandler {
    return new LegacyAttemptHandler(this, attempt, body, hedged);
  }

  responseStarted(): void {
    if (!this.settled) this.#caller.onResponseStarted?.();
  }

  headers(statusCode: number, headers: RawHeaderList, resume: () => void, statusText: string): boolean {
    if (this.settled) return true;
    try {
      return this.#caller.onHeaders?.(statusCode, headers, resume, statusText) !== false;
    } catch (error) {
      this.cancel(error as Error);
      return true;
    }
  }

  data(chunk: Buffer): boolean {
    if (this.settled) return true;
    try {
      return this.#caller.onData?.(chunk) !== false;
    } catch (error) {
      this.cancel(error as Error);
      return true;
    }
  }

  upgrade(statusCode: number, headers: RawHeaderList | null, socket: Duplex): void {
    if (this.settled) return;
    this.settled = true;
    this.#caller.onUpgrade?.(statusCode, headers, socket);
  }

  complete(trailers: RawHeaderList | null): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.#caller.onComplete?.(trailers);
    } catch (error) {
      // As undici does: a handler that throws from onComplete gets the error through onError.
      this.#caller.onError?.(error as Error);
    }
  }

  protected failCaller(error: Error): void {
    this.#caller.onError?.(error);
  }
}
