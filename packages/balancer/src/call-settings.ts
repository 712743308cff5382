/**
 * What one call's request asks of it, resolved once when the call starts: the service's options
 * with the request's overrides (`request-overrides.ts`) applied, and its hash key.
 */
import type { CallRequest } from './call-request.js';
import type { RetryConfig, ServiceConfig } from './config/config.js';
import type { HashKeyRequest } from './config/options.js';
import { BalancerConfigError } from './errors.js';
import { resolveRequestOverrides, type RequestOverrides } from './request-overrides.js';
import { isIdempotent } from './retry/policy.js';

export interface CallSettings {
  /** The request's `idempotent` override, else whether its method is idempotent. */
  readonly idempotent: boolean;
  /** The service's retry options with the request's `retry`/`maxRetries`; the same object when unchanged. */
  readonly retry: RetryConfig;
  /** The request's `perAttemptTimeoutMs` (`false`: none); undefined: the service's deadline. */
  readonly timeoutMs: number | false | undefined;
  /** The request's `hashKey` override, else what the service's `hashKey` function returns. */
  readonly hashKey: string | undefined;
  /** False when the request said `hedge: false` (or its overrides are invalid). */
  readonly hedge: boolean;
  /** Invalid overrides: the call refuses to start with this. */
  readonly invalid: BalancerConfigError | undefined;
}

/**
 * The settings of a call without overrides to a service without a `hashKey` function, which are
 * most calls: one frozen object per service and idempotency, shared, rather than one per call.
 * The service holds them (`Service.plainSettings`).
 */
export interface PlainSettings {
  readonly idempotent: CallSettings;
  readonly other: CallSettings;
}

export function plainSettingsOf(config: ServiceConfig): PlainSettings {
  const of = (idempotent: boolean): CallSettings =>
    Object.freeze({ idempotent, retry: config.retry, timeoutMs: undefined, hashKey: undefined, hedge: true, invalid: undefined });
  return Object.freeze({ idempotent: of(true), other: of(false) });
}

/**
 * Resolves the settings of a call of `config`'s service for `request` (`method` upper-case;
 * `logical.url` parses the logical URL, read only by a `hashKey` function that asks for it;
 * `plain`: the service's `plainSettingsOf(config)`).
 */
export function callSettings(config: ServiceConfig, plain: PlainSettings, request: CallRequest, method: string, logical: { readonly url: URL }): CallSettings {
  const hashKeyOf = config.hashKey;
  if (request.overrides === undefined && hashKeyOf === undefined) return isIdempotent(method) ? plain.idempotent : plain.other;
  let overrides: RequestOverrides | undefined;
  let invalid: BalancerConfigError | undefined;
  if (request.overrides !== undefined) {
    const resolved = resolveRequestOverrides(request.overrides, request.overridesFrom ?? 'balancer');
    if (resolved instanceof BalancerConfigError) invalid = resolved;
    else overrides = resolved;
  }
  let hashKey = overrides?.hashKey;
  if (hashKey === undefined && hashKeyOf !== undefined) {
    const view: HashKeyRequest = {
      method,
      get url() {
        return logical.url;
      },
      header: (name) => request.header?.(name.toLowerCase()),
    };
    hashKey = hashKeyOf(view);
  }
  return {
    idempotent: overrides?.idempotent ?? isIdempotent(method),
    retry: withOverrides(config.retry, overrides),
    timeoutMs: overrides?.perAttemptTimeoutMs,
    hashKey,
    hedge: invalid === undefined && overrides?.hedge !== false,
    invalid,
  };
}

function withOverrides(retry: RetryConfig, overrides: RequestOverrides | undefined): RetryConfig {
  if (overrides === undefined) return retry;
  const maxRetries = overrides.retry === false ? 0 : (overrides.maxRetries ?? retry.maxRetries);
  return maxRetries === retry.maxRetries ? retry : { ...retry, maxRetries };
}
