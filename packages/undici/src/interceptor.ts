/**
 * `balancerInterceptor`: an undici interceptor (for `dispatcher.compose(...)`) that sends requests
 * addressed to a configured service (`http://orders/...`) to the instances the balancer picks,
 * and lets every other request through untouched.
 */
import type { Balancer } from '@datapunk/balancer';
import type { Dispatcher } from 'undici';
import { BalancedHandler } from './balanced-handler.js';
import { RequestBody } from './body-copy.js';
import { readHeader, replayableHeaders } from './headers.js';
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
  const origins = new OriginCache();
  return (dispatch) =>
    // Exactly two parameters: undici 8 checks the arity of what an interceptor returns.
    function balancedDispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const url = logicalUrl(balancer, opts, origins);
      if (url === undefined) return dispatch(opts, handler);
      // Read once here (for the hash key) and sent again on every attempt: make them replayable.
      const headers = replayableHeaders(opts.headers);
      const call = balancer.call({
        method: opts.method,
        url,
        header: (name) => readHeader(headers, name),
        body: opts.body,
      });
      if (call === undefined) return dispatch(opts, handler);
      if (isRetryHandler(handler)) warnOuterRetry(balancer);
      // A one-shot body (as every fetch body is) is copied as it is sent, so a retry can replay it.
      const body = new RequestBody(opts.body, call.bodyBufferLimit);
      return new BalancedHandler(call, dispatch, { ...opts, headers }, body, handler).start();
    };
}

/** `origin + path` when the origin names a service, else undefined (pass through). */
function logicalUrl(balancer: Balancer, opts: Dispatcher.DispatchOptions, origins: OriginCache): URL | undefined {
  const { origin, path } = opts;
  if (origin === undefined || origin === null) return undefined;
  if (balancer.serviceFor(origin) === undefined) return undefined;
  try {
    return new URL(`${origins.normalise(origin)}${path}`);
  } catch {
    return undefined;
  }
}

/**
 * Normalised origins (`new URL(origin).origin`) of the few origin values requests use, so each
 * request parses one URL, not two. Bounded: past the limit it just parses.
 */
class OriginCache {
  readonly #known = new Map<string, string>();
  normalise(origin: string | URL): string {
    if (typeof origin !== 'string') return origin.origin;
    let normal = this.#known.get(origin);
    if (normal === undefined) {
      normal = new URL(origin).origin;
      if (this.#known.size < 1_024) this.#known.set(origin, normal);
    }
    return normal;
  }
}
