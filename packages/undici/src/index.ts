/**
 * @datapunk/balancer-undici: client-side load balancing for undici (`request`, `fetch`, and
 * Node's built-in `fetch` through the global dispatcher). Explicit public surface.
 */
export { balancerInterceptor } from './interceptor.js';
export type { BalancerInterceptor } from './interceptor.js';
export { withBalancer } from './with-balancer.js';
export { OVERRIDES_HEADER, overridesHeader } from './overrides.js';
