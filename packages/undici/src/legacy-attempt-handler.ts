/**
 * The handler of one attempt in undici's legacy handler API (`onConnect`, `onHeaders`, `onData`,
 * `onComplete`, `onError`), for callers that speak it: `undici.request`, `stream`, `pipeline` and
 * `fetch` in undici 7, and Node's built-in `fetch`. undici 7's own dispatchers speak it too, so the
 * raw response headers go from undici's parser to the caller untouched: the core reads the one
 * or two it needs (`retry-after`, load reports) from the raw list, and nothing is parsed, turned
 * back into Buffers and parsed again as it is when a handler goes through `dispatcher.compose()`.
 * It reports to the core through `AttemptReport` and passes on to its owner, the request's
 * `LegacyBalancedHandler`, what the caller may see.
 */
import type { Duplex } from 'node:stream';
import type { Attempt } from '@datapunk/balancer/adapter';
import { AttemptReport, type AttemptOwner as ReportOwner } from './attempt-report.js';
import type { AttemptBody } from './body-copy.js';

/** Raw headers as undici's legacy callbacks give them: `[name, value, name, value, ...]`. */
export type RawHeaderList = Buffer[] | string[];

/** undici's legacy handler API (undici 7 and older; undici 8 removed it). */
export interface LegacyHandler {
  onConnect(abort: (reason?: Error) => void, context?: unknown): void;
  onError?(error: Error): void;
  onUpgrade?(statusCode: number, headers: RawHeaderList | null, socket: Duplex): void;
  onResponseStarted?(): void;
  /** Returns false to pause the response until `resume()` is called. */
  onHeaders?(statusCode: number, headers: RawHeaderList, resume: () => void, statusText: string): boolean;
  /** Returns false to pause the response until `resume()` is called. */
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: RawHeaderList | null): void;
}

/** True for a handler that speaks only the legacy API (no `onRequestStart`). */
export function isLegacyHandler(handler: object): handler is LegacyHandler {
  const h = handler as Partial<LegacyHandler> & { onRequestStart?: unknown };
  return typeof h.onRequestStart !== 'function' && typeof h.onConnect === 'function';
}

/** What a legacy attempt tells the request it belongs to. */
export interface LegacyAttemptOwner extends ReportOwner {
  responseStarted(): void;
  /** A response head for the caller (a 1xx, or the final response the core accepted); false pauses. */
  headers(statusCode: number, headers: RawHeaderList, resume: () => void, statusText: string): boolean;
  /** False pauses. */
  data(chunk: Buffer): boolean;
  upgrade(statusCode: number, headers: RawHeaderList | null, socket: Duplex): void;
  complete(trailers: RawHeaderList | null): void;
}

/** The legacy handler of one attempt: reports its facts to the core and forwards what the caller may see. */
export class LegacyAttemptHandler extends AttemptReport implements LegacyHandler {
  readonly #request: LegacyAttemptOwner;
  #abort: ((reason?: Error) => void) | null = null;

  constructor(request: LegacyAttemptOwner, attempt: Attempt, body: AttemptBody, hedged: boolean) {
    super(request, attempt, body, hedged);
    this.#request = request;
  }

  protected abortTransport(reason: Error): void {
    this.#abort?.(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.over) return abort(this.over);
    this.#abort = abort;
  }

  onResponseStarted(): void {
    if (!this.over) this.#request.responseStarted();
  }

  onHeaders(statusCode: number, headers: RawHeaderList, resume: () => void, statusText: string): boolean {
    if (this.over) return true;
    // 1xx: not final. The resume function is this attempt's: only the accepted attempt's body
    // reaches the caller, so its pause (returning false) and resume act on the right socket.
    if (statusCode >= 200 && !this.accept(statusCode, headers)) return true;
    return this.#request.headers(statusCode, headers, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    return this.over ? true : this.#request.data(chunk);
  }

  onComplete(trailers: RawHeaderList | null): void {
    if (this.over) return;
    this.completed();
    this.#request.complete(trailers);
  }

  onError(error: Error): void {
    this.errored(error);
  }

  onUpgrade(statusCode: number, headers: RawHeaderList | null, socket: Duplex): void {
    if (this.over) return void socket.destroy();
    this.upgraded(statusCode);
    this.#request.upgrade(statusCode, headers, socket);
  }
}
