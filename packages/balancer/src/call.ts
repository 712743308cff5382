/**
 * A call: one logical request to a service, made of one or more attempts. This is what adapters
 * drive; they translate their client's lifecycle into `next()`, `attempt.headers()`,
 * `attempt.end()` and obey the returned decisions, holding no policy of their own.
 *
 *   const call = balancer.call({ method, url, header, body }); // undefined: not a service, pass through
 *   for (;;) {
 *     const attempt = call.next();                 // pick, avoiding instances already tried
 *     if (!attempt.ok) throw attempt.error;        // ERR_NO_AVAILABLE_INSTANCE, ERR_SCHEME_MISMATCH
 *     attempt.arm((error) => abort(error));        // the attempt deadline, until the headers
 *     ...send to attempt.target...
 *     const d = attempt.end({ status, header } | { error } | { error, cancelledBy: 'caller' });
 *     if (!d.retry) break;
 *     await call.delay(d.delayMs, signal);
 *   }
 */
import { LiveAttempt, type Attempt, type AttemptOwner } from './attempt/attempt.js';
import { readHeader, type AttemptFacts } from './attempt/facts.js';
import { isReplayableBody } from './attempt/request-body.js';
import type { DeadlineQueue } from './attempt/deadline.js';
import { Target, type LogicalUrl } from './attempt/target.js';
import type { HashKeyRequest } from './config/options.js';
import type { NoAvailableInstanceError } from './errors.js';
import { CircuitOpenError, SchemeMismatchError } from './errors.js';
import { InstanceRecord } from './instance/instance.js';
import type { Outcome } from './outcome.js';
import type { RetryBudget } from './retry/budget.js';
import { decideRetry } from './retry/decide.js';
import type { RetryDecision } from './retry/policy.js';

/** Methods as clients usually spell them, upper-cased without a new string each time. */
const METHODS: Readonly<Record<string, string>> = { get: 'GET', GET: 'GET', post: 'POST', POST: 'POST', put: 'PUT', PUT: 'PUT', delete: 'DELETE', DELETE: 'DELETE', head: 'HEAD', HEAD: 'HEAD', patch: 'PATCH', PATCH: 'PATCH', options: 'OPTIONS', OPTIONS: 'OPTIONS' };
const upperCase = (method: string): string => (Object.hasOwn(METHODS, method) ? METHODS[method]! : method.toUpperCase());

const NOT_RETRYABLE: RetryDecision = Object.freeze({ retry: false, reason: 'not-retryable' });
const HTTPS = /^https:/i;
import { delay, type Runtime } from './runtime.js';
import type { ServiceObserver } from './service/observer.js';
import type { Service } from './service/service.js';

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
   * on a retry that cannot happen. Default true.
   */
  readonly clientCanResend?: boolean;
}

/** No attempt could be made: nothing was sent. */
export interface Refusal {
  readonly ok: false;
  /** `ERR_NO_AVAILABLE_INSTANCE` or `ERR_CIRCUIT_OPEN` (with the reason), or `ERR_SCHEME_MISMATCH`. */
  readonly error: NoAvailableInstanceError | CircuitOpenError | SchemeMismatchError;
}

/** One logical request to a service. */
export interface Call {
  /** The service's name. */
  readonly service: string;
  /** The logical request, as the adapter gave it. */
  readonly request: CallRequest;
  /** The logical URL, parsed. */
  readonly url: URL;
  /**
   * Bytes of a one-shot request body an adapter may copy while sending it, so that a retry can
   * replay it (`retry.bufferBodyBytes`); 0 when retries are off.
   */
  readonly bodyBufferLimit: number;
  /** Picks the instance for the next attempt, avoiding instances already tried. */
  next(): Attempt | Refusal;
  /** Waits `ms` on the balancer's clock (backoff), rejecting if `signal` aborts. */
  delay(ms: number, signal?: AbortSignal): Promise<void>;
}

export class ServiceCall implements Call, AttemptOwner, LogicalUrl {
  readonly method: string;
  readonly hashKey: string | undefined;
  /** The first instance tried; `#tried` holds them all once there is a second. */
  #first: InstanceRecord | undefined;
  #tried: Set<InstanceRecord> | undefined;
  #attempts = 0;
  #url: URL | undefined;
  private readonly bodyReplayable: boolean;

  constructor(
    private readonly serviceRef: Service,
    readonly request: CallRequest,
    readonly runtime: Runtime,
    private readonly budget: RetryBudget | undefined,
    private readonly observer: ServiceObserver,
  ) {
    this.method = upperCase(request.method);
    this.bodyReplayable = isReplayableBody(request.body);
    const hashKeyOf = serviceRef.config.hashKey;
    if (hashKeyOf) {
      const logicalUrl = (): URL => this.url;
      const view: HashKeyRequest = {
        method: this.method,
        get url() {
          return logicalUrl();
        },
        header: (name) => request.header?.(name.toLowerCase()),
      };
      this.hashKey = hashKeyOf(view);
    }
  }

  get service(): string {
    return this.serviceRef.name;
  }
  get serviceName(): string {
    return this.serviceRef.name;
  }
  get url(): URL {
    const { url } = this.request;
    return (this.#url ??= typeof url === 'string' ? new URL(url) : url);
  }
  get deadlines(): DeadlineQueue {
    return this.serviceRef.deadlines.queue;
  }
  get bodyBufferLimit(): number {
    const retry = this.serviceRef.config.retry;
    return retry.maxRetries > 0 ? retry.bufferBodyBytes : 0;
  }

  next(): LiveAttempt | Refusal {
    const now = this.runtime.now();
    if (this.#attempts === 0 && this.#first === undefined) this.budget?.deposit(now);
    const limits = this.serviceRef.limits;
    const over = limits?.refusal();
    if (over) {
      this.observer.pickFailed?.({ service: this.serviceRef.name, reason: over.reason });
      return { ok: false, error: new CircuitOpenError(this.serviceRef.name, over.reason, over.limit) };
    }
    const picked = this.serviceRef.pick(this.hashKey, this.#tried ?? this.#first, now);
    if (!(picked instanceof InstanceRecord)) return { ok: false, error: picked };
    limits?.started(this.#attempts > 0);
    const config = this.serviceRef.config;
    const deadlines = this.serviceRef.deadlines;
    const attempt = new LiveAttempt(this, picked, new Target(picked.url, this, config.hostHeader === 'service'), this.#attempts, now, deadlines.timeoutMs(now), deadlines.learned !== undefined);
    if (picked.protocol === 'http:' && !config.allowSchemeDowngrade && this.isHttps()) {
      // Refused before anything is sent: a request fault, never the instance's.
      this.release(attempt, { kind: 'cancelled', by: 'invalid-request' });
      return { ok: false, error: new SchemeMismatchError(this.serviceRef.name, picked.url) };
    }
    if (this.#first === undefined) this.#first = picked;
    else (this.#tried ??= new Set([this.#first])).add(picked);
    this.#attempts++;
    return attempt;
  }

  /** Whether the logical URL is https, read from the origin when the adapter gave it. */
  private isHttps(): boolean {
    const { url, origin } = this.request;
    return HTTPS.test(origin ?? (typeof url === 'string' ? url : url.protocol));
  }

  delay(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(this.runtime, ms, signal);
  }

  release(attempt: LiveAttempt, outcome: Outcome): void {
    this.serviceRef.limits?.ended(attempt.index > 0, attempt.answered);
    this.serviceRef.release(attempt.instance, attempt.startedAt, outcome, this.method);
  }

  answered(latencyMs: number): void {
    this.serviceRef.deadlines.record(latencyMs);
    this.serviceRef.limits?.answered();
  }

  cutShort(timeoutMs: number): void {
    this.serviceRef.deadlines.record(timeoutMs);
  }

  decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision {
    // Most attempts succeed: a status that is never retried needs no more than this.
    if (outcome.kind === 'response' && facts.retryRequested !== true && !this.serviceRef.config.retry.retryOnStatuses.has(outcome.status)) return NOT_RETRYABLE;
    return decideRetry(
      {
        outcome,
        method: this.method,
        retries: attempt.index,
        bodyReplayable: facts.bodyCopied === true || this.bodyReplayable,
        bodyConsumed: facts.bodyConsumed ?? false,
        responseStarted,
        retryAfter: readHeader(facts.headers, 'retry-after'),
        clientCanResend: this.request.clientCanResend ?? true,
        retryRequested: facts.retryRequested ?? false,
      },
      {
        service: this.serviceRef.name,
        config: this.serviceRef.config.retry,
        runtime: this.runtime,
        budget: this.budget,
        observer: this.observer,
        hasOtherInstance: () => this.serviceRef.hasInstanceOtherThan(this.#tried ?? this.#first),
        admitsRetry: this.serviceRef.limits && (() => this.serviceRef.limits!.admitsRetry()),
      },
    );
  }
}
