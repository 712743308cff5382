/**
 * @datapunk/balancer-got: client-side load balancing for got (14 to 16) with @datapunk/balancer.
 * Explicit public surface: every export is named here.
 */
export { balancerExtension, withBalancer } from './with-balancer.js';
export type { BalancerContext, BalancerExtension } from './with-balancer.js';
export type {
  GotError,
  GotHandler,
  GotLike,
  GotOptions,
  GotResponse,
  GotRetryObject,
  GotRetryOptions,
} from './got-shapes.js';
