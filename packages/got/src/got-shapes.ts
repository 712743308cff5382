/**
 * The parts of got this adapter touches, as structural types. They hold for got 14, 15 and 16,
 * so the package compiles against none of got's own (major-specific) declarations and a user's
 * got instance of any supported major type-checks against `withBalancer`.
 */

/** A got instance: what `withBalancer` needs from it. */
export interface GotLike {
  /** `got.extend(...)`; its result is a got instance of the same kind. */
  extend(...instancesOrOptions: never[]): unknown;
  readonly defaults: { readonly options: { readonly retry: object } };
}

/** got's normalised `Options` (one per attempt; cloned from the previous one on a retry). */
export interface GotOptions {
  url: URL | string | undefined;
  prefixUrl: string | URL;
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
  readonly json?: unknown;
  readonly form?: unknown;
  /** got's request function for these options (Node's `http.request` unless `request` is set). */
  readonly getRequestFunction?: () => unknown;
  /** got's `request` option. */
  request?: unknown;
  /** User data, shallow-copied (symbol keys included) from one attempt's options to the next. */
  readonly context: Record<PropertyKey, unknown>;
  readonly signal?: AbortSignal | undefined;
  readonly isStream?: boolean;
  /** The request's own hooks (got copies the instance's into each request's options). */
  readonly hooks: { readonly beforeRequest: ((options: GotOptions) => void)[] };
  /** The live TLS options object (got's setter would replace it whole). */
  readonly https: { serverName?: string | undefined };
}

/** The response got hands to `afterResponse` hooks and attaches to errors. */
export interface GotResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly request?: { readonly options?: GotOptions };
}

/** A got `RequestError` (or subclass) as hooks and `calculateDelay` receive it. */
export interface GotError extends Error {
  readonly code?: string;
  readonly options?: GotOptions;
  readonly response?: GotResponse;
}

/** What got passes to `retry.calculateDelay`. */
export interface GotRetryObject {
  readonly attemptCount: number;
  readonly error: GotError;
  readonly computedValue: number;
  readonly retryOptions: object;
  readonly retryAfter?: number;
}

/** got's retry options, as far as this adapter reads them. */
export interface GotRetryOptions {
  readonly calculateDelay?: (retryObject: GotRetryObject) => number | Promise<number>;
  readonly enforceRetryRules?: boolean;
}

/** The event source both got's promise and its request stream are: `on(event, listener)`. */
export interface GotEmitter {
  on(event: string | symbol, listener: (...args: never[]) => void): unknown;
  once(event: string | symbol, listener: (...args: never[]) => void): unknown;
}

/** Node's `ClientRequest` as far as the per-attempt timeout needs it. */
export interface ClientRequestLike {
  destroy(error?: Error): unknown;
  once(event: 'response', listener: (response: { readonly statusCode?: number; readonly headers: Readonly<Record<string, string | string[] | undefined>> }) => void): unknown;
}

/** A got handler: `(options, next) => next(options)`. */
export type GotHandler = (options: GotOptions, next: (options: GotOptions) => unknown) => unknown;
