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
 *   releases the attempt still in flight when it settles. That is also where a response that
 *   reached the caller ends its attempt (got's promise resolves once the body is read), rather
 *   than in an `afterResponse` hook: got awaits every hook of every request, which is a visible
 *   share of what the adapter costs, so the extension adds no hook that runs on every request.
 *   A response got goes on to retry or reject ends it in `retry.calculateDelay`, which got asks
 *   before the promise settles.
 * - No instance for the first attempt is an error thrown from a `beforeRequest` hook, so that got
 *   shapes it as its own `RequestError`; the hook is added to that request alone, where the
 *   extension's hooks sit (after the base instance's).
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
    readonly beforeRetry: readonly ((error: GotError) => void)[];
    readonly beforeRedirect: readonly ((options: GotOptions, response: GotResponse) => void)[];
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
    handlers: [balancerHandler(balancer, hookCount(base))],
    hooks: {
      beforeRetry: [
        (error) => {
          const request = BalancedRequest.of(error.options);
          const unavailable = error.options && request?.startAttempt(error.options);
          if (unavailable) throw unavailable;
        },
      ],
      beforeRedirect: [(options, response) => BalancedRequest.of(options)?.redirected(options, response)],
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

/** How many `beforeRequest` hooks `base` has: the place of the extension's own, when a request needs one. */
function hookCount(base: GotLike): number {
  const hooks = (base.defaults.options as { readonly hooks?: { readonly beforeRequest?: readonly unknown[] } }).hooks;
  return hooks?.beforeRequest?.length ?? 0;
}

/** Throws the first attempt's "no instance" error, from where got shapes it (see `balancerHandler`). */
function throwUnavailable(options: GotOptions): void {
  const error = BalancedRequest.of(options)?.takeUnavailable();
  if (error !== undefined) throw error;
}

/**
 * The handler: starts the balancer's call and points the first attempt at its instance. When
 * there is none, the request gets a `beforeRequest` hook of its own that throws the core's error
 * (`baseHooks`: where the extension's hooks sit among the request's, after the base instance's).
 */
function balancerHandler(balancer: Balancer, baseHooks: number): GotHandler {
  const newCall = callFactory(balancer);
  return (options, next) => {
    const url = options?.url;
    const call = url instanceof URL ? newCall(options, url) : undefined;
    if (call === undefined) return next(options);
    const request = BalancedRequest.attach(call, options, newCall);
    const unavailable = request.startAttempt(options);
    if (unavailable !== undefined) {
      request.failFirst(unavailable);
      options.hooks.beforeRequest.splice(baseHooks, 0, throwUnavailable);
    }
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

/**
 * The key of per-request overrides in got's `context` (see `BalancerContext`). got copies
 * `context` from the instance's defaults and from one attempt's options to the next, so they hold
 * for every attempt and redirect hop of the request.
 */
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

/** The balancer's call for got options aimed at `url`, or undefined when `url` is not a service's. */
function callFactory(balancer: Balancer): CallFactory {
  return (options, url) => balancer.call(new GotCallRequest(options, url));
}

/**
 * The logical request, as the core reads it from got's options. A class, not a literal: its
 * `header` method lives on the prototype, so a request allocates no closure for it.
 */
class GotCallRequest implements CallRequest {
  readonly method: string;
  readonly body: unknown;
  readonly clientCanResend: boolean;
  readonly overrides: RequestOverrides | undefined;
  readonly overridesFrom: string | undefined;
  readonly #headers: GotOptions['headers'];

  constructor(
    options: GotOptions,
    // got's own copy of the caller's URL (its setter parses every URL it is given), which it
    // drops once the attempt's target replaces it: the call may keep it as the logical URL.
    readonly url: URL,
  ) {
    this.method = options.method;
    this.body = options.body;
    // got cannot send again a stream it handed to the caller (`got.stream`), nor a one-shot
    // body stream ("Cannot retry with consumed body stream"), even after a refused
    // connection: the core then refuses such retries up front.
    this.clientCanResend = options.isStream !== true && isReplayableBody(options.body);
    const overrides = options.context[BALANCER_CONTEXT];
    this.overrides = overrides as RequestOverrides | undefined;
    this.overridesFrom = overrides === undefined ? undefined : `context.${BALANCER_CONTEXT}`;
    this.#headers = options.headers;
  }

  header(name: string): string | undefined {
    return headerValue(this.#headers[name]);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
