/**
 * `withBalancer`: the one-line way to balance an undici dispatcher.
 */
import type { Balancer } from '@datapunk/balancer';
import type { Dispatcher } from 'undici';
import type { Dispatch } from './balanced-request.js';
import { dispatchBalanced } from './interceptor.js';

/**
 * Returns a dispatcher that balances requests to `balancer`'s services and passes every other
 * request through to `dispatcher` untouched. Use it as `dispatcher:` for `undici.request` /
 * `undici.fetch`, or install it with `setGlobalDispatcher` (which Node's built-in `fetch` also
 * follows; with undici 8, `setGlobalDispatcher` installs the `Dispatcher1Wrapper` that Node's
 * built-in `fetch` needs by itself).
 *
 * It behaves as `dispatcher.compose(balancerInterceptor(balancer))` but does not go through
 * `compose()`: each attempt is handed to `dispatcher` in the handler API its caller speaks (the
 * legacy one for `undici.request` and `fetch` in undici 7, the new one otherwise), so undici 7
 * does not turn every response's headers into an object, back into Buffers and into an object
 * again. Everything else is `dispatcher`'s own (`request`, `close`, events...), as with `compose`.
 *
 * `dispatcher` should route by `opts.origin`, as an `Agent` does: each attempt is dispatched to
 * the picked instance's origin. Closing the returned dispatcher closes `dispatcher`; closing the
 * balancer is the caller's business.
 */
export function withBalancer(dispatcher: Dispatcher, balancer: Balancer): Dispatcher.ComposedDispatcher {
  const next = dispatcher.dispatch.bind(dispatcher) as Dispatch;
  const dispatch = (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => dispatchBalanced(balancer, next, opts, handler);
  // As `compose()` does: the same dispatcher with `dispatch` replaced, so that its own methods
  // (`request`, `fetch`'s use of `dispatch`, `close`) go through the balancer.
  return new Proxy(dispatcher, { get: (target, key) => (key === 'dispatch' ? dispatch : (target as unknown as Record<PropertyKey, unknown>)[key]) }) as Dispatcher.ComposedDispatcher;
}
