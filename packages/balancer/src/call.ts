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
import type { AttemptFacts } from './attempt/facts.js';
import { isReplayableBody } from './attempt/request-body.js';
import { attemptTarget } from './attempt/target.js';
import type { HashKeyRequest } from './config/options.js';
import { SchemeMismatchError, type NoAvailableInstanceError } from './errors.js';
import type { InstanceRecord } from './instance/instance.js';
import type { Outcome } from './outcome.js';
import type { RetryBudget } from './retry/budget.js';
import { decideRetry } from './retry/decide.js';
import type { RetryDecision } from './retry/policy.js';
import { delay, type Runtime } from './runtime.js';
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
  /** `ERR_NO_AVAILABLE_INSTANCE` (with the reason), or `ERR_SCHEME_MISMATCH`. */
  readonly error: NoAvailableInstanceError | SchemeMismatchError;
}

/** One logical request to a service. */
export interface Call {
  /** The service's name. */
  readonly service: string;
  /** The logical request, as the adapter gave it. */
  readonly request: CallRequest;
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

export class ServiceCall implements Call, AttemptOwner {
  readonly method: string;
  readonly hashKey: string | undefined;
  private readonly tried = new Set<InstanceRecord>();
  private attempts = 0;
  private readonly bodyReplayable: boolean;

  constructor(
    private readonly serviceRef: Service,
    readonly request: CallRequest,
    readonly runtime: Runtime,
    private readonly budget: RetryBudget | undefined,
    private readonly observer: ServiceObserver,
  ) {
    this.method = request.method.toUpperCase();
    this.bodyReplayable = isReplayableBody(request.body);
    const hashKeyOf = serviceRef.config.hashKey;
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

  get service(): string {
    return this.serviceRef.name;
  }
  get serviceName(): string {
    return this.serviceRef.name;
  }
  get timeoutMs(): number | undefined {
    return this.serviceRef.config.retry.perAttemptTimeoutMs;
  }
  get bodyBufferLimit(): number {
    const retry = this.serviceRef.config.retry;
    return retry.maxRetries > 0 ? retry.bufferBodyBytes : 0;
  }

  next(): LiveAttempt | Refusal {
    const picked = this.serviceRef.pick(this.hashKey, this.method, this.tried);
    if (!picked.ok) return picked;
    const { record, startedAt } = picked;
    const config = this.serviceRef.config;
    const target = attemptTarget(record.url, this.request.url, config.hostHeader === 'service');
    const attempt = new LiveAttempt(this, record, target, this.attempts, startedAt);
    if (this.request.url.protocol === 'https:' && record.protocol === 'http:' && !config.allowSchemeDowngrade) {
      // Refused before anything is sent: a request fault, never the instance's.
      this.release(attempt, { kind: 'cancelled', by: 'invalid-request' });
      return { ok: false, error: new SchemeMismatchError(this.serviceRef.name, record.url) };
    }
    this.tried.add(record);
    this.attempts++;
    return attempt;
  }

  delay(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(this.runtime, ms, signal);
  }

  release(attempt: LiveAttempt, outcome: Outcome): void {
    this.serviceRef.release(attempt.instance, attempt.startedAt, outcome, this.method);
  }

  decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision {
    return decideRetry(
      {
        outcome,
        method: this.method,
        retries: attempt.index,
        bodyReplayable: facts.bodyCopied === true || this.bodyReplayable,
        bodyConsumed: facts.bodyConsumed ?? false,
        responseStarted,
        retryAfter: facts.header?.('retry-after'),
        clientCanResend: this.request.clientCanResend ?? true,
        retryRequested: facts.retryRequested ?? false,
      },
      {
        service: this.serviceRef.name,
        config: this.serviceRef.config.retry,
        runtime: this.runtime,
        budget: this.budget,
        observer: this.observer,
        hasOtherInstance: () => this.serviceRef.hasInstanceOtherThan(this.tried),
      },
    );
  }
}
