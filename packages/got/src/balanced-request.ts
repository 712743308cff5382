/**
 * One got request to a service, across got's attempts: it holds the core's `Call` and the
 * attempt in flight, points got's options at the instance the core picked, and turns what got
 * reports (a response, an error, an abort, the end of a stream) into exactly one `attempt.end()`
 * per attempt. It decides nothing: the verdicts and delays are the core's.
 *
 * got creates a fresh `Options` object for every retry, copied from the previous one, `context`
 * included (shallow, symbol keys too): the request travels there, under a private symbol.
 */
import { errorMonitor } from 'node:events';
import type { Attempt, AttemptFacts, Call, RetryDecision } from '@datapunk/balancer/adapter';
import type { ClientRequestLike, GotEmitter, GotError, GotOptions, GotResponse } from './got-shapes.js';
import { gotErrorFacts } from './error-facts.js';
import { HedgedTransport, type HedgeOwner, type RequestFunction } from './hedged-transport.js';
import { CREDENTIAL_HEADERS, keepCredentials, redirectTarget, type Credentials } from './redirect-hop.js';

const REQUEST = Symbol('@datapunk/balancer-got/request');

/** Starts the balancer's call for a request (a redirect hop, say), or undefined when its URL is not a service's. */
export type CallFactory = (options: GotOptions, url: URL) => Call | undefined;
const NO_RETRY: RetryDecision = { retry: false, reason: 'not-retryable' };


export class BalancedRequest implements HedgeOwner {
  /** The call of the current hop; undefined once a redirect left the services (passed through). */
  private call: Call | undefined;
  /** The logical URL of the current hop: a relative redirect resolves against it. */
  private logicalUrl: URL;
  private readonly credentials: Credentials = {};
  private attempt: Attempt | undefined;
  /** The core's verdict on an attempt that ended with a response, for got's next retry question. */
  private verdict: RetryDecision | undefined;
  /** No instance for the first attempt: thrown from `beforeRequest`, so got shapes the error. */
  private unavailable: Error | undefined;
  private clientRequest: ClientRequestLike | undefined;
  /** True once got created the attempt's HTTP request: before that, the instance saw nothing. */
  private dispatched = false;
  private timedOut: Error | undefined;
  /** Status of the response head this attempt reported (a stream's, for the end of its body). */
  private status: number | undefined;
  private readonly signal: AbortSignal | undefined;
  /** A `got.stream()` request: its stream's events report the attempt, not got's retry logic. */
  private readonly streaming: boolean;
  /** Hedged calls: the transport that races the attempts (see `hedged-transport.ts`). */
  private transport: HedgedTransport | undefined;
  /** The call whose hedges the transport launches. */
  private hedgedCall: Call | undefined;

  private constructor(
    call: Call,
    options: GotOptions,
    private readonly newCall: CallFactory,
  ) {
    this.call = call;
    this.logicalUrl = call.url;
    this.signal = options.signal;
    this.streaming = options.isStream === true;
    for (const name of CREDENTIAL_HEADERS) {
      const value = options.headers[name];
      if (value !== undefined) this.credentials[name] = value;
    }
  }

  /** Starts tracking a request to a service and stores it in the request's options. */
  static attach(call: Call, options: GotOptions, newCall: CallFactory): BalancedRequest {
    const request = new BalancedRequest(call, options, newCall);
    options.context[REQUEST] = request;
    request.hedge(options);
    return request;
  }

  /**
   * A request without a body whose call the core hedges gets the hedged transport as got's
   * `request` function, for this attempt and every later one (got copies it on retries).
   */
  private hedge(options: GotOptions): void {
    if (this.streaming || options.body !== undefined || options.json !== undefined || options.form !== undefined || typeof options.getRequestFunction !== 'function') return;
    const send = options.getRequestFunction() as RequestFunction | undefined;
    if (send === undefined) return;
    // The core says first whether this call is hedged (most are not): only then is there a transport.
    if (!this.call?.hedge((attempt) => this.transport?.launch(attempt))) return;
    const transport = new HedgedTransport(this, send);
    this.transport = transport;
    this.hedgedCall = this.call;
    options.request = transport.request;
  }

  current(): Attempt | undefined {
    return this.attempt;
  }

  answered(attempt: Attempt, status: number, decision: RetryDecision): void {
    this.attempt = attempt;
    this.dispatched = true;
    this.status = status;
    if (decision.retry) {
      this.verdict = decision;
      this.attempt = undefined;
    }
  }

  failed(_attempt: Attempt, decision: RetryDecision): void {
    this.dispatched = true;
    this.attempt = undefined;
    this.verdict = decision;
  }

  /** The balanced request these options belong to, or undefined (not a service URL). */
  static of(options: GotOptions | undefined): BalancedRequest | undefined {
    const value = options?.context[REQUEST];
    return value instanceof BalancedRequest ? value : undefined;
  }

  /**
   * Picks the instance for the next attempt and points `options` at it (url, Host header, TLS
   * servername), then arms the per-attempt timeout. Returns the core's error when none is left.
   */
  startAttempt(options: GotOptions): Error | undefined {
    if (this.call === undefined) return undefined; // a redirect hop outside the services: got's own
    const transport = this.transport;
    if (transport !== undefined && this.hedgedCall !== this.call) {
      this.hedgedCall = this.call;
      this.call.hedge((attempt) => transport.launch(attempt));
    }
    const next = this.call.next();
    if (!next.ok) return next.error;
    this.attempt = next;
    this.verdict = undefined;
    this.dispatched = false;
    this.clientRequest = undefined;
    this.timedOut = undefined;
    this.status = undefined;
    const { target } = next;
    // got prepends `prefixUrl` to any url assigned while it is set; its own retry code clears it too.
    if (options.prefixUrl !== '') options.prefixUrl = '';
    // Text, not a URL: got parses whatever it is given, so a URL would be parsed twice.
    options.url = target.href;
    if (target.hostHeader !== undefined) options.headers.host = target.hostHeader;
    // got's setters replace whole objects outside a merge: change the live ones instead.
    if (target.servername !== undefined) options.https.serverName = target.servername;
    // The hedged transport arms each attempt it sends itself.
    if (transport === undefined) next.arm((error) => this.timeOut(error));
    return undefined;
  }

  /**
   * `beforeRedirect`: the instance answered with a redirect, which got is about to follow. The
   * instance is credited with that response and its attempt ends here; the hop is a request of
   * its own. got resolved `Location` against the instance; it is resolved against the logical URL
   * instead (as fetch does), so a relative redirect stays on the service and goes through the
   * balancer, and a `Location` naming a service is balanced rather than sent to DNS. A hop to
   * any other host passes through untouched (and is never retried by the balancer).
   * Credentials follow fetch's rule on the logical origins: kept on the same one, dropped
   * elsewhere (got compared the instance's host with the hop's).
   */
  redirected(options: GotOptions, response: GotResponse): void {
    if (this.attempt !== undefined) this.end({ status: response.statusCode, headers: response.headers });
    const hop = redirectTarget(response, this.logicalUrl);
    if (hop === undefined) return;
    keepCredentials(options, this.credentials, hop.origin === this.logicalUrl.origin);
    options.url = hop;
    this.logicalUrl = hop;
    this.call = this.newCall(options, hop);
    const unavailable = this.startAttempt(options);
    if (unavailable !== undefined) throw unavailable;
  }

  /** Records that the first attempt found no instance; `takeUnavailable` hands it to got once. */
  failFirst(error: Error): void {
    this.unavailable = error;
  }

  /** The first attempt's "no instance" error, once. */
  takeUnavailable(): Error | undefined {
    const error = this.unavailable;
    this.unavailable = undefined;
    return error;
  }

  /**
   * Follows got's promise: each attempt's HTTP request, and the final settlement. Resolved, it
   * holds the whole response: the attempt that answered ends there, complete.
   */
  followPromise(promise: GotEmitter & PromiseLike<unknown>): void {
    promise.on('request', (request: ClientRequestLike) => this.onClientRequest(request));
    promise.then(
      () => this.release('complete'),
      (error: GotError) => this.release({ error }),
    );
  }

  /**
   * Follows a `got.stream()` request: one attempt, no retry (the stream is the caller's). The
   * response head goes to the caller with the stream's `response` event; the attempt ends when
   * the body ends, fails, or the stream is destroyed.
   */
  followStream(stream: GotEmitter): void {
    stream.on('request', (request: ClientRequestLike) => this.onClientRequest(request));
    stream.once('response', (response: GotResponse) => {
      this.status = response.statusCode;
      this.attempt?.headers({ status: response.statusCode, headers: response.headers });
    });
    stream.once('end', () => this.release('complete'));
    stream.on(errorMonitor, (error: GotError) => this.release({ error }));
    stream.once('close', () => this.release('abandoned'));
  }

  /** got threw before returning a promise or stream: free the instance without a verdict. */
  abandon(): void {
    this.release('abandoned');
  }

  /**
   * `retry.calculateDelay`: ends the attempt if still open and returns the core's decision in
   * got's terms: 0 stops, anything else is the delay before the next attempt (at least 1 ms,
   * since got reads 0 as "stop").
   */
  retryDelay(error: GotError): number {
    if (this.streaming) return 0;
    const decision = this.attempt === undefined ? (this.verdict ?? NO_RETRY) : this.end(this.factsOf(error));
    this.verdict = undefined;
    return decision.retry ? Math.max(1, decision.delayMs) : 0;
  }

  /**
   * The request is over for the caller: got's promise resolved or the stream's body ended
   * (`complete`), the promise rejected or the stream failed, or the stream was destroyed before
   * its end (`abandoned`). Ends the attempt still open, if any: a caller's abort fires no got
   * hook, so this is where it is reported.
   */
  private release(how: { readonly error: GotError } | 'complete' | 'abandoned'): void {
    if (typeof how === 'object') this.transport?.abandon(how.error);
    if (this.attempt === undefined) return;
    if (typeof how === 'object') this.end(this.factsOf(how.error));
    else if (how === 'complete' && this.status !== undefined) this.end({});
    // Given up before the end, or settled without a response this adapter saw.
    else this.end({ cancelledBy: 'caller' });
  }

  private end(facts: AttemptFacts): RetryDecision {
    const attempt = this.attempt;
    if (attempt === undefined) return NO_RETRY;
    this.attempt = undefined;
    this.clientRequest = undefined;
    return attempt.end(facts);
  }

  /** The facts of an attempt that got ended with `error`, in the core's terms. */
  private factsOf(error: GotError): AttemptFacts {
    return gotErrorFacts(error, this.signal?.aborted === true, this.dispatched);
  }

  private onClientRequest(request: ClientRequestLike): void {
    if (this.attempt === undefined) return;
    this.dispatched = true;
    this.clientRequest = request;
    if (this.timedOut !== undefined) request.destroy(this.timedOut);
    // The response head, for got's promise (which reports only complete responses): it ends the
    // attempt deadline, and a response the core retries is dropped before its body is used.
    if (!this.streaming) request.once('response', (head: ResponseHead) => this.onHead(head));
  }

  private onHead(head: ResponseHead): void {
    const attempt = this.attempt;
    if (attempt === undefined || head.statusCode === undefined) return;
    this.status = head.statusCode;
    const decision = attempt.headers({ status: head.statusCode, headers: head.headers, buffered: true });
    if (decision.retry) {
      this.verdict = decision;
      this.attempt = undefined;
      this.clientRequest = undefined;
    }
  }

  /** The per-attempt timeout fired: fail this attempt's HTTP request (got then asks to retry). */
  private timeOut(error: Error): void {
    this.timedOut = error;
    this.clientRequest?.destroy(error);
  }
}

/** What Node's `ClientRequest` emits as `response`. */
interface ResponseHead {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

