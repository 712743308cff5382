import type { RequestOverrides } from './request-overrides.js';

/** What an adapter tells the core about a request. */
export interface CallRequest {
  /** HTTP method (any case). */
  readonly method: string;
  /**
   * The logical URL, e.g. `http://orders/api/v1/orders/42?x=1`: a `URL`, or its text, which the
   * core parses only if it needs more than the origin (a hash key, a Host header kept, a target
   * URL read by the adapter).
   */
  readonly url: URL | string;
  /**
   * The logical origin (`http://orders`), when the adapter has it apart from the path (undici's
   * dispatch options): the service is then found from it alone, without parsing the URL.
   */
  readonly origin?: string;
  /** Reads a request header by lower-case name (for the hash key). */
  readonly header?: (name: string) => string | undefined;
  /**
   * The request body as the client holds it. The core decides whether a retry can send it again:
   * absent, strings, buffers, typed arrays, `URLSearchParams`, `Blob` and `FormData` can; streams,
   * async iterables and anything unknown cannot (unless the adapter copies it as it is sent:
   * `bodyCopied`).
   */
  readonly body?: unknown;
  /**
   * False when the client itself cannot send this request again (got with a stream body, or
   * `got.stream()`): retries are refused up front (`client-cannot-retry`), so no budget is spent
   * on a retry that cannot happen. Default true. Such requests are never hedged either.
   */
  readonly clientCanResend?: boolean;
  /**
   * The caller's per-request overrides, as given (the core validates them: an invalid one makes
   * the first `next()` refuse with a `BalancerConfigError` naming the field).
   */
  readonly overrides?: RequestOverrides;
  /** What the overrides are called in errors, e.g. `config.balancer`, `datapunk-balancer header`. Default `balancer`. */
  readonly overridesFrom?: string;
}
