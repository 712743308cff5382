/**
 * `balancerInterceptor`: an undici interceptor (for `dispatcher.compose(...)`) that sends requests
 * addressed to a configured service (`http://orders/...`) to the instances the balancer picks,
 * and lets every other request through untouched.
 */
import type { Balancer } from '@datapunk/balancer';
import type { Dispatcher } from 'undici';
import { BalancedHandler } from './balanced-handler.js';
import { RequestBody } from './body-copy.js';
import { isPairIterable, readHeader, replayableHeaders } from './headers.js';
import { findOverrides } from './overrides.js';
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
 * `new Agent().compose(balancerInterceptor(balancer))`; `withBalancer` does exactly that.
 * Interceptors listed after it in `compose` run before it, once per request; those listed
 * before it run once per attempt.
 */
export function balancerInterceptor(balancer: Balancer): BalancerInterceptor {
  return (dispatch) =>
    // Exactly two parameters: undici 8 checks the arity of what an interceptor returns.
    function balancedDispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const { origin } = opts;
      if (origin === undefined || origin === null) return dispatch(opts, handler);
      const originText = typeof origin === 'string' ? origin : origin.origin;
      // Headers given as a one-shot iterable (a generator) are read once here and sent again on
      // every attempt: copied, but only for a service's request (others pass through as given).
      if (isPairIterable(opts.headers) && balancer.serviceFor(originText) === undefined) return dispatch(opts, handler);
      const found = findOverrides(opts.balancer, replayableHeaders(opts.headers));
      const { headers } = found;
      const call = balancer.call({
        method: opts.method,
        url: `${originText}${opts.path}`,
        origin: originText,
        header: (name) => readHeader(headers, name),
        body: opts.body,
        ...found.request,
      });
      if (call === undefined) return dispatch(opts, handler);
      if (isRetryHandler(handler)) warnOuterRetry(balancer);
      // A one-shot body (as every fetch body is) is copied as it is sent, so a retry can replay it.
      const body = opts.body === undefined || opts.body === null ? RequestBody.NONE : new RequestBody(opts.body, call.bodyBufferLimit);
      return new BalancedHandler(call, dispatch, headers === opts.headers ? opts : { ...opts, headers }, body, handler).start();
    };
}
