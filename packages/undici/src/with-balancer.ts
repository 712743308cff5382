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
 * `compose()` (see `balancedView`): each attempt is handed to `dispatcher` in the handler API its caller speaks (the
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
  return balancedView(dispatcher, (opts, handler) => dispatchBalanced(balancer, next, opts, handler));
}

/** EventEmitter methods that return the emitter (so that calls chain). */
const CHAINING = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners'] as const;
/** The others, and the dispatcher's own methods that change its state. */
const FORWARDED = ['emit', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'getMaxListeners', 'close', 'destroy'] as const;

/**
 * `dispatcher` with `dispatch` replaced, as `compose()` returns it: its own methods (`request`,
 * `stream`, fetch's use of `dispatch`...) go through the balancer, and everything else is
 * `dispatcher`'s. Not a Proxy, as `compose()`'s is: a Proxy's trap runs on every property read,
 * twice per `request()` (about 400 instructions, measured). The view inherits from `dispatcher`,
 * so reads reach it at the speed of a prototype lookup; the methods that change its state
 * (`close`, `destroy`, listeners) are forwarded to it, so that none of that state lands on the view.
 */
function balancedView(dispatcher: Dispatcher, dispatch: Dispatch): Dispatcher.ComposedDispatcher {
  const view = Object.create(dispatcher) as Record<string, unknown>;
  const target = dispatcher as unknown as Record<string, (...args: unknown[]) => unknown>;
  const own: PropertyDescriptorMap = { dispatch: { value: dispatch, writable: true, configurable: true } };
  for (const name of CHAINING) {
    if (typeof target[name] !== 'function') continue;
    own[name] = {
      value: (...args: unknown[]) => {
        target[name]!(...args);
        return view;
      },
      writable: true,
      configurable: true,
    };
  }
  for (const name of FORWARDED) {
    if (typeof target[name] === 'function') own[name] = { value: (...args: unknown[]) => target[name]!(...args), writable: true, configurable: true };
  }
  Object.defineProperties(view, own);
  return view as unknown as Dispatcher.ComposedDispatcher;
}
