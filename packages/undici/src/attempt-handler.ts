/**
 * The handler of one attempt in undici's new handler API (`onRequestStart`, `onResponseStart`...),
 * for callers that speak it (undici 8, `fetch` in undici 8, interceptors composed around the
 * balancer, undici's own retry and redirect handlers). It reports to the core through
 * `AttemptReport` and passes on to its owner, the request's `BalancedHandler`, what the caller
 * may see.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Attempt } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import { AttemptReport, type AttemptOwner as ReportOwner } from './attempt-report.js';
import type { AttemptBody } from './body-copy.js';

type Controller = Dispatcher.DispatchController;

/** What an attempt tells the request it belongs to. */
export interface AttemptOwner extends ReportOwner {
  /** The attempt connected: the caller's pause, resume and raw headers now reach `controller`. */
  attach(controller: Controller): void;
  /** A response head for the caller: a 1xx, or the final response the core accepted. */
  responseStart(statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void;
  data(chunk: Buffer): void;
  upgrade(statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void;
  end(trailers: IncomingHttpHeaders): void;
}

/** The handler of one attempt: reports its facts to the core and forwards what the caller may see. */
export class AttemptHandler extends AttemptReport implements Dispatcher.DispatchHandler {
  readonly #request: AttemptOwner;
  #controller: Controller | null = null;

  constructor(request: AttemptOwner, attempt: Attempt, body: AttemptBody, hedged = false) {
    super(request, attempt, body, hedged);
    this.#request = request;
  }

  protected abortTransport(reason: Error): void {
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: Controller): void {
    if (this.over) return controller.abort(this.over);
    this.#controller = controller;
    this.#request.attach(controller);
  }

  onRequestUpgrade(_controller: Controller, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (this.over) return void socket.destroy();
    this.upgraded(statusCode);
    this.#request.upgrade(statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.over) return;
    this.#controller = controller;
    if (statusCode < 200) return this.#request.responseStart(statusCode, headers, statusMessage); // 1xx: not final
    if (!this.accept(statusCode, headers)) return;
    // The accepted response (a hedge's, maybe): the caller's pause and resume now reach it.
    this.#request.attach(controller);
    this.#request.responseStart(statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (!this.over) this.#request.data(chunk);
  }

  onResponseEnd(_controller: Controller, trailers: IncomingHttpHeaders): void {
    if (this.over) return;
    this.completed();
    this.#request.end(trailers);
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    this.errored(error);
  }
}
