/**
 * `balancerInterceptor`: an undici interceptor (for `dispatcher.compose(...)`) that sends requests
 * addressed to a configured service (`http://orders/...`) to the instances the balancer picks,
 * and lets every other request through untouched.
 */
import type { Balancer } from '@datapunk/balancer';
import type { CallRequest } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';
import { BalancedHandler } from './balanced-handler.js';
import type { Dispatch } from './balanced-request.js';
import { RequestBody } from './body-copy.js';
import { isPairIterable, readHeader, replayableHeaders, type DispatchHeaders } from './headers.js';
import { isLegacyHandler } from './legacy-attempt-handler.js';
import { LegacyBalancedHandler } from './legacy-handler.js';
import { findOverrides, NO_OVERRIDES, OVERRIDES_HEADER, type FoundOverrides } from './overrides.js';
import { isRetryHandler, warnOuterRetry } from './stacked-retry.js';

/** An undici interceptor: takes the next `dispatch` and returns the balanced one. */
export type BalancerInterceptor = (dispatch: Dispatcher.Dispatch) => Dispatcher.Dispatch;

/**
 * Creates the interceptor. The logical URL of a request is `opts.origin + opts.path`; when its
 * host is not a service of `balancer`, the request is dispatched unchanged. Otherwise each attempt
 * is dispatched as `{ ...opts, origin: <instance> }` (with the `Host` header and TLS servername
 * the core asks for), retried on another instance when the core says so, and reported back.
 *
 * Compose it on an `Agent` (which routes by `opts.origin`), e.g.
 * `new Agent().compose(balancerInterceptor(balancer))`, to place it among other interceptors:
 * those listed after it in `compose` run before it, once per request; those listed before it
 * run once per attempt. `withBalancer` does the same without `compose()`, which saves undici 7
 * converting every response between its two handler APIs twice.
 */
export function balancerInterceptor(balancer: Balancer): BalancerInterceptor {
  return (dispatch) =>
    // Exactly two parameters: undici 8 checks the arity of what an interceptor returns.
    function balancedDispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return dispatchBalanced(balancer, dispatch as Dispatch, opts, handler);
    };
}

/**
 * Dispatches one request: unchanged through `dispatch` when it is not addressed to a service of
 * `balancer`, else as a balanced request whose attempts speak the handler API `handler` speaks.
 * Shared by `balancerInterceptor` and `withBalancer`'s dispatcher; the one place the dispatch
 * options are read.
 */
export function dispatchBalanced(balancer: Balancer, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, handler: object): boolean {
  const { origin } = opts;
  if (origin === undefined || origin === null) return dispatch(opts, handler);
  const originText = typeof origin === 'string' ? origin : origin.origin;
  // Headers given as a one-shot iterable (a generator) are read once here and sent again on
  // every attempt: copied, but only for a service's request (others pass through as given).
  if (isPairIterable(opts.headers) && balancer.serviceFor(originText) === undefined) return dispatch(opts, handler);
  let headers = replayableHeaders(opts.headers);
  // Per-request overrides: the `balancer` option, or the header fetch carries them in (removed here).
  let overrides = NO_OVERRIDES;
  if (opts.balancer !== undefined || readHeader(headers, OVERRIDES_HEADER) !== undefined) {
    const found = findOverrides(opts.balancer, headers);
    overrides = found.request;
    headers = found.headers;
  }
  const call = balancer.call(new DispatchRequest(opts, originText, headers, overrides));
  if (call === undefined) return dispatch(opts, handler);
  if (isRetryHandler(handler)) warnOuterRetry(balancer);
  // A one-shot body (as every fetch body is) is copied as it is sent, so a retry can replay it.
  const body = opts.body === undefined || opts.body === null ? RequestBody.NONE : new RequestBody(opts.body, call.bodyBufferLimit);
  const attemptOpts = headers === opts.headers ? opts : { ...opts, headers };
  const request = isLegacyHandler(handler)
    ? new LegacyBalancedHandler(call, dispatch, attemptOpts, body, handler)
    : new BalancedHandler(call, dispatch, attemptOpts, body, handler as Dispatcher.DispatchHandler);
  return request.start();
}

/**
 * The logical request, as the core reads it from undici's dispatch options. A class, not a
 * literal: its `header` method and `url` getter live on the prototype, so a request allocates
 * no closure, and the URL text is built only if the core reads it.
 */
class DispatchRequest implements CallRequest {
  readonly method: string;
  readonly body: unknown;
  readonly overrides: CallRequest['overrides'];
  readonly overridesFrom: CallRequest['overridesFrom'];
  readonly #path: string;
  readonly #headers: DispatchHeaders;

  constructor(opts: Dispatcher.DispatchOptions, readonly origin: string, headers: DispatchHeaders, found: FoundOverrides) {
    this.method = opts.method;
    this.body = opts.body;
    this.overrides = found.overrides;
    this.overridesFrom = found.overridesFrom;
    this.#path = opts.path;
    this.#headers = headers;
  }
  get url(): string {
    return `${this.origin}${this.#path}`;
  }
  header(name: string): string | undefined {
    return readHeader(this.#headers, name);
  }
}
