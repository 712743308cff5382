/**
 * A call: one logical request to a service, made of one or more attempts. This is the API
 * adapters use: they translate their client's lifecycle into `next()`, `attempt.end()` and the
 * returned retry decision, and hold no policy of their own.
 *
 *   const call = balancer.call({ method, url, header });   // undefined: not a service, pass through
 *   for (;;) {
 *     const a = call.next();                               // pick (avoiding instances tried)
 *     if (!a.ok) throw a.error;                            // ERR_NO_AVAILABLE_INSTANCE
 *     ...send to a.url (a.timeoutMs per attempt)...
 *     const d = a.end({ status, retryAfter } | { error } | { cancelled: true });
 *     if (!d.retry) break;
 *     await call.delay(d.delayMs, signal);
 *   }
 */
import type { HashKeyRequest } from './config/options.js';
import { AttemptTimeoutError, SchemeMismatchError, type NoAvailableInstanceError } from './errors.js';
import type { InstanceRecord } from './instance/instance.js';
import { classifyError, outcomeFromError, outcomeLabel, type Outcome } from './outcome.js';
import { fullJitterBackoffMs, parseRetryAfterMs } from './retry/backoff.js';
import type { RetryBudget } from './retry/budget.js';
import { retryVerdict, type RetryDecision } from './retry/policy.js';
import { delay, type Runtime } from './runtime.js';
import type { Lease } from './service/lease.js';
import type { ServiceObserver } from './service/observer.js';
import type { Service } from './service/service.js';

/** What an adapter tells the core about a request. */
export interface CallRequest {
  /** HTTP method (any case). */
  readonly method: string;
  /** The logical URL, e.g. `http://orders/api/v1/orders/42?x=1`. */
  readonly url: URL;
  /** Reads a request header by lower-case name (for the hash key). */
  readonly header?: (name: string) => string | undefined;
  /** False when the body is a one-shot stream. Default true (no body, or a buffer/string). */
  readonly bodyReplayable?: boolean;
  /**
   * False when the client itself cannot send this request again (got with a stream body, or
   * `got.stream()`): retries are then refused up front (`client-cannot-retry`), so no budget is
   * spent on a retry that cannot happen. Default true.
   */
  readonly retryable?: boolean;
}

/** How an attempt ended, as raw facts; the core classifies them. */
export interface AttemptResult {
  /** Response status, when headers arrived. */
  readonly status?: number;
  /** Retry-After header of that response. */
  readonly retryAfter?: string | null;
  /** The transport error, when the attempt failed. */
  readonly error?: unknown;
  /** The caller aborted or its own timeout fired: never the instance's fault. */
  readonly cancelled?: boolean;
  /**
   * The request itself failed on the client side (its body stream errored, a header was
   * refused): never the instance's fault, never retried. Errors with known codes
   * (`UND_ERR_INVALID_ARG`...) are recognised without it; use it for the rest.
   */
  readonly invalidRequest?: boolean;
  /** The response body was already handed to the caller: no retry possible. */
  readonly responseStarted?: boolean;
  /**
   * Overrides the request's `bodyReplayable` for this attempt: true when the adapter kept a
   * complete copy of a one-shot body as it was sent (within `call.bodyBufferLimit` bytes), so a
   * retry can send the copy.
   */
  readonly bodyReplayable?: boolean;
  /**
   * Some of a one-shot (non-replayable) request body was already read, even though the
   * connection failed: it cannot be sent again. Clients that read the body before connecting
   * (axios, got) set it; undici reads it only once connected.
   */
  readonly bodyConsumed?: boolean;
  /** Latency to report instead of the time since the pick, ms. */
  readonly latencyMs?: number;
}

/**
 * One attempt: where to send it, and how to report its end.
 *
 * Clients that buffer the response report once, with `end()`. Streaming clients report the
 * response headers with `headers()` (which decides whether to retry before any byte reaches the
 * caller) and, unless it said retry, the end of the body with `end()`: the instance stays in
 * flight until then, and a body that fails midway is still the instance's failure.
 */
export class Attempt {
  readonly ok = true as const;
  private ended = false;
  /** Status seen by `headers()` when the response went on to the caller. */
  private status: number | undefined;

  constructor(
    private readonly call: Call,
    private readonly lease: Lease,
    /** Attempt number, 0 for the first. */
    readonly index: number,
  ) {}

  /** The chosen instance's origin, e.g. `http://127.0.0.1:8081`. */
  get origin(): string {
    return this.lease.instance.url;
  }
  get instance(): InstanceRecord {
    return this.lease.instance;
  }
  /**
   * The full URL for this attempt: the instance's origin (scheme, host and port, its default
   * port included) with the logical URL's path, query and credentials.
   */
  get url(): URL {
    return attemptUrl(this.lease.instance.url, this.call.request.url);
  }
  /** Host header to send, or undefined to let the client derive it from `url` (the default). */
  get hostHeader(): string | undefined {
    return this.call.service.config.hostHeader === 'service' ? this.call.request.url.host : undefined;
  }
  /** TLS servername to use, or undefined for the instance's host (the default). */
  get servername(): string | undefined {
    return this.call.service.config.hostHeader === 'service' ? this.call.request.url.hostname : undefined;
  }
  /** Per-attempt timeout, ms, or undefined. */
  get timeoutMs(): number | undefined {
    return this.call.service.config.retry.perAttemptTimeoutMs;
  }

  /**
   * Arms the per-attempt timeout (when configured): `onTimeout` receives an
   * `AttemptTimeoutError` to abort the attempt with. Returns a disarm function; call it when the
   * attempt ends (or the response is handed to the caller).
   */
  armTimeout(onTimeout: (error: AttemptTimeoutError) => void): () => void {
    const ms = this.timeoutMs;
    if (ms === undefined) return () => {};
    const runtime = this.call.runtime;
    // When the timer fires, the response may already be waiting in the socket, unread because
    // this process was busy (a stalled event loop fires timers late, all at once). Give I/O one
    // more turn of the event loop before blaming the instance: a 0 ms timer runs after the
    // pending I/O callbacks, which disarm this if the response was there.
    let timer = runtime.setTimeout(
      () => {
        timer = runtime.setTimeout(() => onTimeout(new AttemptTimeoutError(this.call.service.name, this.origin, ms)), 0, { unref: false });
      },
      ms,
      { unref: false },
    );
    return () => timer.cancel();
  }

  /**
   * Reports response headers and says whether to retry. On `retry: true` the attempt is over
   * (discard the response); otherwise hand the response to the caller and call `end()` when its
   * body is finished, failed or abandoned.
   */
  headers(result: Pick<AttemptResult, 'retryAfter' | 'bodyReplayable' | 'bodyConsumed'> & { readonly status: number }): RetryDecision {
    if (this.ended || this.status !== undefined) return { retry: false, reason: 'response-started' };
    const outcome: Outcome = { kind: 'response', status: result.status };
    const decision = this.call.decide(outcome, result);
    if (decision.retry) {
      this.ended = true;
      this.lease.done(outcome);
    } else this.status = result.status;
    return decision;
  }

  /** Reports the end of the attempt (once) and says whether and when to retry. */
  end(result: AttemptResult): RetryDecision {
    if (this.ended) return { retry: false, reason: 'not-retryable' };
    this.ended = true;
    const merged: AttemptResult =
      this.status === undefined ? result : { ...result, status: result.status ?? this.status, responseStarted: true };
    const outcome = toOutcome(merged);
    this.lease.done(outcome);
    return this.call.decide(outcome, merged);
  }
}

/**
 * The instance's origin with `logical`'s path, query and credentials. Built from the origin
 * rather than by assigning `url.host`: the WHATWG setter keeps the old port when the new host
 * has none, which sent `http://web:8080/x` for instance `http://10.0.0.5` to port 8080.
 */
export function attemptUrl(origin: string, logical: URL): URL {
  const url = new URL(`${origin}${logical.pathname}${logical.search}`);
  if (logical.username !== '') url.username = logical.username;
  if (logical.password !== '') url.password = logical.password;
  return url;
}

/**
 * Whether a request body can be sent again on a retry: absent, strings, buffers, typed arrays,
 * `URLSearchParams`, `Blob`s and standard `FormData` (clients encode it afresh for each send)
 * can; streams, async iterables and anything unknown cannot.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (body instanceof URLSearchParams || body instanceof Blob || body instanceof FormData) return true;
  return false;
}

function toOutcome(result: AttemptResult): Outcome {
  const latency = result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs };
  if (result.invalidRequest) return { kind: 'cancelled', by: 'invalid-request', ...latency };
  if (result.cancelled) {
    // An error about the request itself stays classified as such even when the adapter saw it
    // as a cancellation; either way the instance is not blamed and nothing is retried.
    return result.error !== undefined && classifyError(result.error) === 'invalid-request'
      ? { kind: 'cancelled', by: 'invalid-request', ...latency }
      : { kind: 'cancelled', ...latency };
  }
  if (result.error !== undefined) {
    const outcome = outcomeFromError(result.error, result.latencyMs);
    // The headers arrived, then the body failed for a reason the error does not name (axios's
    // "stream has been aborted"): the connection broke midway.
    if (result.status !== undefined && outcome.kind === 'failure' && outcome.failure === 'other') return { ...outcome, failure: 'reset' };
    return outcome;
  }
  if (result.status !== undefined) return { kind: 'response', status: result.status, ...latency };
  return { kind: 'failure', failure: 'other', ...latency };
}

export type NextAttempt = Attempt | { readonly ok: false; readonly error: NoAvailableInstanceError | SchemeMismatchError };

export class Call {
  readonly method: string;
  readonly hashKey: string | undefined;
  private readonly tried = new Set<InstanceRecord>();
  private attempts = 0;

  constructor(
    readonly service: Service,
    readonly request: CallRequest,
    readonly runtime: Runtime,
    private readonly budget: RetryBudget | undefined,
    private readonly observer: ServiceObserver,
  ) {
    this.method = request.method.toUpperCase();
    const hashKeyOf = service.config.hashKey;
    if (hashKeyOf) {
      const view: HashKeyRequest = {
        method: this.method,
        url: request.url,
        header: (name) => request.header?.(name.toLowerCase()),
      };
      this.hashKey = hashKeyOf(view);
    }
    budget?.deposit();
  }

  /**
   * Bytes of a one-shot request body an adapter may copy while sending it, so that a retry can
   * replay it (`retry.bufferBodyBytes`); 0 when retries are off.
   */
  get bodyBufferLimit(): number {
    const retry = this.service.config.retry;
    return retry.maxRetries > 0 ? retry.bufferBodyBytes : 0;
  }

  /** Picks the instance for the next attempt, avoiding instances already tried. */
  next(): NextAttempt {
    const picked = this.service.pick({ hashKey: this.hashKey, method: this.method, exclude: this.tried });
    if (!picked.ok) return picked;
    const lease = picked as Lease;
    if (this.request.url.protocol === 'https:' && lease.instance.protocol === 'http:' && !this.service.config.allowSchemeDowngrade) {
      // Refused before anything is sent: a request fault, never the instance's.
      lease.done({ kind: 'cancelled', by: 'invalid-request' });
      return { ok: false, error: new SchemeMismatchError(this.service.name, lease.instance.url) };
    }
    this.tried.add(lease.instance);
    return new Attempt(this, lease, this.attempts++);
  }

  /** Waits `ms` on the runtime's clock (backoff), rejecting if `signal` aborts. */
  delay(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(this.runtime, ms, signal);
  }

  /** @internal Called by `Attempt.end`. */
  decide(outcome: Outcome, result: AttemptResult): RetryDecision {
    const config = this.service.config.retry;
    const retries = this.attempts - 1;
    const verdict = retryVerdict(
      {
        outcome,
        method: this.method,
        retries,
        bodyReplayable: result.bodyReplayable ?? this.request.bodyReplayable ?? true,
        bodyConsumed: result.bodyConsumed ?? false,
        responseStarted: result.responseStarted ?? false,
        retryAfterMs: typeof result.retryAfter === 'string' ? parseRetryAfterMs(result.retryAfter, this.runtime.wallNow()) : undefined,
      },
      config,
    );
    const refuse = (reason: 'budget' | 'max-retries' | 'no-other-instance' | 'retry-after-too-long'): RetryDecision => {
      this.observer.retryRefused?.({ service: this.service.name, reason });
      return { retry: false, reason };
    };
    if (!verdict.retry) {
      if (verdict.reason === 'max-retries' || verdict.reason === 'retry-after-too-long') {
        return config.maxRetries > 0 ? refuse(verdict.reason) : verdict;
      }
      return verdict;
    }
    if (this.request.retryable === false) return { retry: false, reason: 'client-cannot-retry' };
    if (!this.service.hasInstanceOtherThan(this.tried)) return refuse('no-other-instance');
    if (this.budget && !this.budget.tryWithdraw()) return refuse('budget');
    const backoff = fullJitterBackoffMs(retries + 1, config.backoffBaseMs, config.backoffMaxMs, this.runtime.random);
    const delayMs = Math.max(verdict.minDelayMs, backoff);
    this.observer.retried?.({ service: this.service.name, retry: retries + 1, delayMs, cause: outcomeLabel(outcome) });
    return { retry: true, delayMs };
  }
}
