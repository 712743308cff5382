/**
 * `withBalancer(got, balancer)`: a got instance whose requests to service URLs
 * (`http://orders/...`) go to the instances the balancer picks, with the balancer's retries.
 *
 * Where each piece sits, and why (got 14 to 16):
 * - The first attempt's instance is chosen in an extend-level handler, before got builds the
 *   request. Choosing it in `beforeRequest` would not do: got 16.1 strips `authorization`,
 *   `cookie` and `host` and drops the body when a `beforeRequest` hook changes the origin.
 * - Retries run on got's own retry machinery, so the caller still gets got's promise, got's
 *   errors, `.json()`, events and hooks. `retry.calculateDelay` returns the core's decision
 *   (0 = stop, otherwise the core's delay) and ignores got's `limit`, `methods`, `statusCodes`
 *   and `errorCodes`; `enforceRetryRules` is turned off (got 16 enables it by default and would
 *   not even ask on a POST). Each retry's instance is chosen in `beforeRetry`, which got runs
 *   after the backoff and before cloning the options for the next attempt. A loop of our own
 *   around got would have to rebuild got's promise (its `.json()` reads got-internal state), so
 *   it is not used.
 * - A caller's abort (`signal`) fires no hook at all: the handler follows got's promise and
 *   releases the attempt still in flight when it settles.
 * Requests to other hosts pass through untouched, with got's own retry settings.
 */
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import { isReplayableBody, type CallRequest } from '@datapunk/balancer/adapter';
import { BalancedRequest, type CallFactory } from './balanced-request.js';
import type {
  GotEmitter,
  GotError,
  GotHandler,
  GotLike,
  GotOptions,
  GotResponse,
  GotRetryObject,
  GotRetryOptions,
} from './got-shapes.js';

/**
 * Balances a got instance: returns `got.extend(...)` with the balancer's handler, hooks and
 * retry decisions. Requests whose host is a configured service are sent to an instance the
 * balancer picks, reported back (status, error, cancellation) once per attempt, and retried on
 * another instance when the balancer says so; other requests pass through untouched.
 *
 * Errors stay got's: no available instance rejects with a got `RequestError` whose `code` is
 * `ERR_NO_AVAILABLE_INSTANCE` (its `cause` is the balancer's error); a per-attempt timeout that
 * is not retried rejects with code `ERR_BALANCER_ATTEMPT_TIMEOUT`.
 *
 * `got.stream()` to a service is balanced over a single attempt: the stream is the caller's from
 * the start, so it is never retried. The per-attempt timeout covers its wait for headers.
 */
export function withBalancer<G extends GotLike>(got: G, balancer: Balancer): G {
  const extend = got.extend as (...options: unknown[]) => unknown;
  return extend.call(got, balancerExtension(balancer, got)) as G;
}

/** The options `withBalancer` passes to `got.extend`, for composing with other instances. */
export interface BalancerExtension {
  readonly handlers: readonly GotHandler[];
  readonly hooks: {
    readonly beforeRequest: readonly ((options: GotOptions) => void)[];
    readonly beforeRetry: readonly ((error: GotError) => void)[];
    readonly beforeRedirect: readonly ((options: GotOptions, response: GotResponse) => void)[];
    readonly afterResponse: readonly ((response: GotResponse) => GotResponse)[];
  };
  readonly retry: GotRetryOptions;
}

/**
 * The extend options that balance a got instance: `base.extend(balancerExtension(balancer, base))`
 * is `withBalancer(base, balancer)`. `base` supplies the retry settings kept for requests that
 * are not to a service.
 */
export function balancerExtension(balancer: Balancer, base: GotLike): BalancerExtension {
  const baseRetry = base.defaults.options.retry as GotRetryOptions;
  const passThroughDelay = (retryObject: GotRetryObject): number | Promise<number> => {
    if (baseRetry.enforceRetryRules === true && retryObject.computedValue === 0) return 0;
    return baseRetry.calculateDelay?.(retryObject) ?? retryObject.computedValue;
  };
  return {
    handlers: [balancerHandler(balancer)],
    hooks: {
      beforeRequest: [
        (options) => {
          const error = BalancedRequest.of(options)?.takeUnavailable();
          if (error !== undefined) throw error;
        },
      ],
      beforeRetry: [
        (error) => {
          const request = BalancedRequest.of(error.options);
          const unavailable = error.options && request?.startAttempt(error.options);
          if (unavailable) throw unavailable;
        },
      ],
      beforeRedirect: [(options, response) => BalancedRequest.of(options)?.redirected(options, response)],
      afterResponse: [
        (response) => {
          BalancedRequest.of(response.request?.options)?.responded(response);
          return response;
        },
      ],
    },
    retry: {
      calculateDelay: (retryObject) => {
        const request = BalancedRequest.of(retryObject.error.options);
        return request ? request.retryDelay(retryObject.error) : passThroughDelay(retryObject);
      },
      // Older got 14 releases know no `enforceRetryRules` (and behave as if it were off).
      ...('enforceRetryRules' in baseRetry ? { enforceRetryRules: false } : {}),
    },
  };
}

/** The handler: starts the balancer's call and points the first attempt at its instance. */
function balancerHandler(balancer: Balancer): GotHandler {
  const newCall = callFactory(balancer);
  return (options, next) => {
    const url = options?.url;
    const call = url instanceof URL ? newCall(options, url) : undefined;
    if (call === undefined) return next(options);
    const request = BalancedRequest.attach(call, options, newCall);
    const unavailable = request.startAttempt(options);
    if (unavailable !== undefined) request.failFirst(unavailable);
    let result: unknown;
    try {
      result = next(options);
    } catch (error) {
      request.abandon();
      throw error;
    }
    if (options.isStream) request.followStream(result as GotEmitter);
    else request.followPromise(result as GotEmitter & PromiseLike<unknown>);
    return result;
  };
}

/** The balancer's call for got options aimed at `url`, or undefined when `url` is not a service's. */
function callFactory(balancer: Balancer): CallFactory {
  return (options, url) =>
    balancer.call({
      method: options.method,
      url: new URL(url.href),
      header: (name) => headerValue(options.headers[name]),
      body: options.body,
      // got cannot send again a stream it handed to the caller (`got.stream`), nor a one-shot
      // body stream ("Cannot retry with consumed body stream"), even after a refused
      // connection: the core then refuses such retries up front.
      clientCanResend: options.isStream !== true && isReplayableBody(options.body),
      ...overridesOf(options),
    });
}

/**
 * Per-request overrides for got: `context.balancer` (see `BalancerContext`). got copies `context`
 * from the instance's defaults and from one attempt's options to the next, so they hold for every
 * attempt and redirect hop of the request.
 */
/** The key of the overrides in got's `context`. */
const BALANCER_CONTEXT = 'balancer';

/**
 * got's `context` with per-request overrides:
 * `got(url, { context: { balancer: { retry: false } } satisfies BalancerContext })`. An unknown
 * key or a wrong type fails the request with a got `RequestError` whose code is
 * `ERR_BALANCER_CONFIG`.
 */
export interface BalancerContext {
  /** Per-request overrides of the balanced service's options (see `RequestOverrides`). */
  readonly balancer?: RequestOverrides;
}

function overridesOf(options: GotOptions): Pick<CallRequest, 'overrides' | 'overridesFrom'> {
  const overrides = options.context[BALANCER_CONTEXT];
  return overrides === undefined ? {} : { overrides: overrides as RequestOverrides, overridesFrom: `context.${BALANCER_CONTEXT}` };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
