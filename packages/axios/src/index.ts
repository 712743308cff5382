/**
 * @datapunk/balancer-axios: client-side load balancing for axios through `@datapunk/balancer`.
 * Explicit public surface: every export is named here.
 */
export { withBalancer } from './with-balancer.js';
export type { AxiosInstanceLike } from './with-balancer.js';
export { balancedAdapter, isBalancedAdapter } from './balanced-adapter.js';
export type { AdapterOption, GetUri } from './balanced-adapter.js';
import './request-config.js';
