/**
 * The balancer's own errors, shaped as axios errors so that axios users' error handlers
 * (`axios.isAxiosError`, `error.config`, `error.code`) keep working. The `code` is the core's
 * stable code and `cause` the core's error. They are built with the caller's copy of axios
 * (`lib`, see `axios-module.ts`), so `instanceof axios.AxiosError` holds in CommonJS too.
 */
import type { AttemptTimeoutError, BalancerError } from '@datapunk/balancer';
import axios, { type AxiosError, type InternalAxiosRequestConfig } from 'axios';
import type { AxiosModule } from './axios-module.js';

/**
 * The core refused the request before sending it (no instance could take it:
 * `ERR_NO_AVAILABLE_INSTANCE`; an https URL for http instances: `ERR_SCHEME_MISMATCH`): the
 * core's code, `cause` the core's error.
 */
export function balancerError(cause: BalancerError, config: InternalAxiosRequestConfig, lib: AxiosModule = axios): AxiosError {
  return withCause(new lib.AxiosError(cause.message, cause.code, config), cause);
}

/**
 * The last attempt exceeded the per-attempt timeout and no retry followed: code
 * `ERR_BALANCER_ATTEMPT_TIMEOUT`, `cause` the core error.
 */
export function attemptTimeoutError(
  cause: AttemptTimeoutError,
  config: InternalAxiosRequestConfig,
  request?: unknown,
  lib: AxiosModule = axios,
): AxiosError {
  return withCause(new lib.AxiosError(cause.message, cause.code, config, request), cause);
}

function withCause(error: AxiosError, cause: Error): AxiosError {
  error.cause = cause;
  return error;
}
