/**
 * @datapunk/balancer-etcd: etcd discovery (prefix read + watch) and lease-based
 * self-registration for @datapunk/balancer. Explicit public surface.
 */
export { etcdDiscovery } from './discovery.js';
export type { EtcdDiscovery, EtcdDiscoveryOptions } from './discovery.js';
export { register } from './register.js';
export type { RegisterOptions, Registration } from './register.js';
export type { EtcdConnectionOptions } from './options.js';
export type { EtcdTlsOptions } from './tls.js';
export type { EtcdAuthOptions } from './auth.js';
export type { EtcdInstanceEntry } from './entry.js';
export { decodeEntry } from './entry.js';
export type { DecodedEntry } from './entry.js';
export { DEFAULT_PREFIX, defaultInstanceKey, serviceDirectory } from './keys.js';
export { EtcdConfigError, EtcdError, EtcdErrorCodes, isEtcdError } from './errors.js';
export type { EtcdErrorCode } from './errors.js';
