/**
 * `withBalancer(axiosInstance, balancer)`: routes the instance's requests to logical service URLs
 * (`http://orders/...`) through the balancer.
 */
import type { Balancer } from '@datapunk/balancer';
import type { AxiosInstance } from 'axios';
import { axiosModuleOf } from './axios-module.js';
import { balancedAdapter, isBalancedAdapter } from './balanced-adapter.js';

/**
 * What `withBalancer` uses of an axios instance. Structural on purpose: axios ships separate
 * declarations for ESM (`index.d.ts`) and CommonJS (`index.d.cts`), and a CommonJS project under
 * `module: nodenext` types `axios.create()` with the latter, which `AxiosInstance` as this ESM
 * package sees it does not accept (TS2345).
 */
export interface AxiosInstanceLike {
  readonly interceptors: { readonly request: Pick<AxiosInstance['interceptors']['request'], 'use'> };
  getUri: AxiosInstance['getUri'];
}

/**
 * Installs the balancer on `instance` and returns it. Requests whose logical host (after axios
 * joins `baseURL`, `url` and `params`) is a configured service go to an instance the balancer
 * picks, are reported back, and are retried on another instance when the balancer says so;
 * every other request passes through untouched.
 *
 * A synchronous request interceptor wraps whatever adapter the request ends up with (the
 * instance default or a per-request `adapter`); it only wraps a function and counts nothing, so
 * it cannot leak when another interceptor throws or the request is cancelled before dispatch.
 * All accounting and retries happen in the wrapped adapter, once per real attempt; user
 * interceptors run once per logical request, never again on a retry.
 */
export function withBalancer<T extends AxiosInstanceLike>(instance: T, balancer: Balancer): T {
  const getUri = (config: Parameters<AxiosInstance['getUri']>[0]): string => instance.getUri(config);
  const lib = axiosModuleOf(instance);
  instance.interceptors.request.use(
    (config) => {
      if (!isBalancedAdapter(config.adapter)) config.adapter = balancedAdapter(config.adapter, balancer, getUri, lib);
      return config;
    },
    undefined,
    { synchronous: true },
  );
  return instance;
}
