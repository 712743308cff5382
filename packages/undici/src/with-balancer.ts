/**
 * `withBalancer`: the one-line way to balance an undici dispatcher.
 */
import type { Balancer } from '@datapunk/balancer';
import type { Dispatcher } from 'undici';
import { balancerInterceptor } from './interceptor.js';

/**
 * Returns `dispatcher.compose(balancerInterceptor(balancer))`: a dispatcher that balances
 * requests to `balancer`'s services and passes every other request through. Use it as
 * `dispatcher:` for `undici.request` / `undici.fetch`, or install it with `setGlobalDispatcher`
 * (which Node's built-in `fetch` also follows; with undici 8, `setGlobalDispatcher` installs the
 * `Dispatcher1Wrapper` that Node's built-in `fetch` needs by itself).
 *
 * `dispatcher` should route by `opts.origin`, as an `Agent` does: each attempt is dispatched to
 * the picked instance's origin. Closing the returned dispatcher closes `dispatcher`; closing the
 * balancer is the caller's business.
 */
export function withBalancer(dispatcher: Dispatcher, balancer: Balancer): Dispatcher.ComposedDispatcher {
  return dispatcher.compose(balancerInterceptor(balancer));
}
