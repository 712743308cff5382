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
import { LiveAttempt, OTHER_ATTEMPT, type Attempt, type AttemptOwner } from './attempt/attempt.js';
import { readHeader, type AttemptFacts } from './attempt/facts.js';
import { isReplayableBody } from './attempt/request-body.js';
import type { DeadlineQueue } from './attempt/deadline.js';
import { Target, type LogicalUrl } from './attempt/target.js';
import { CircuitOpenError, SchemeMismatchError, type BalancerConfigError, type NoAvailableInstanceError } from './errors.js';
import { InstanceRecord } from './instance/instance.js';
import type { Outcome } from './outcome.js';
import type { HedgePolicy } from './hedge/policy.js';
import { HedgeRace } from './hedge/race.js';
import type { RetryBudget } from './retry/budget.js';
import { decideRetry } from './retry/decide.js';
import type { RetryDecision } from './retry/policy.js';
import { callSettings, type CallSettings } from './call-settings.js';
import { upperCaseMethod } from './request-method.js';
import { delay, type Runtime } from './runtime.js';
import type { ServiceObserver } from './service/observer.js';
import type { Service } from './service/service.js';
import type { CallRequest } from './call-request.js';

const NOT_RETRYABLE: RetryDecision = Object.freeze({ retry: false, reason: 'not-retryable' });
const HTTPS = /^https:/i;

export type { CallRequest } from './call-request.js';

/** No attempt could be made: nothing was sent. */
export interface Refusal {
  readonly ok: false;
  /**
   * `ERR_NO_AVAILABLE_INSTANCE` or `ERR_CIRCUIT_OPEN` (with the reason), `ERR_SCHEME_MISMATCH`, or
   * `ERR_BALANCER_CONFIG` for invalid per-request overrides.
   */
  readonly error: NoAvailableInstanceError | CircuitOpenError | SchemeMismatchError | BalancerConfigError;
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
  /**
   * Hedged requests. Returns false (and does nothing) unless the service's `hedge` option is on
   * and this request may be hedged: an idempotent method, a body that can be sent again, a client
   * that can send it again, no `hedge: false`. Otherwise, from now on, when an attempt has not
   * answered (`attempt.headers()`, or `end()` with a status) after the hedge delay, the core picks
   * another instance and hands the new attempt to `launch`, which sends it like any other,
   * concurrently, and registers its `onCancel`. Call it once, before the first `next()`.
   *
   * Decisions then include `{ retry: false, reason: 'other-attempt' }`: drop that attempt's
   * result (it failed while another is pending, or lost), tell the caller nothing. The first
   * response accepted wins; the others are cancelled through their `onCancel`.
   */
  hedge(launch: (attempt: Attempt) => void): boolean;
}

export class ServiceCall implements Call, AttemptOwner, LogicalUrl {
  readonly method: string;
  /** The first instance tried; `#tried` holds them all once there is a second. */
  #first: InstanceRecord | undefined;
  #tried: Set<InstanceRecord> | undefined;
  #attempts = 0;
  /** Attempts started by `next()`: the first and the retries. */
  #nexts = 0;
  #race: HedgeRace<LiveAttempt> | undefined;
  #url: URL | undefined;
  private readonly bodyReplayable: boolean;
  private readonly settings: CallSettings;

  constructor(
    private readonly serviceRef: Service,
    readonly request: CallRequest,
    readonly runtime: Runtime,
    private readonly budget: RetryBudget | undefined,
    private readonly observer: ServiceObserver,
    private readonly hedging?: HedgePolicy,
  ) {
    this.method = upperCaseMethod(request.method);
    this.bodyReplayable = isReplayableBody(request.body);
    this.settings = callSettings(serviceRef.config, serviceRef.plainSettings, request, this.method, this);
  }

  get hashKey(): string | undefined {
    return this.settings.hashKey;
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
    const retry = this.settings.retry;
    return retry.maxRetries > 0 ? retry.bufferBodyBytes : 0;
  }

  next(): LiveAttempt | Refusal {
    const { invalid } = this.settings;
    if (invalid !== undefined) return { ok: false, error: invalid };
    const now = this.runtime.now();
    if (this.#attempts === 0 && this.#first === undefined) {
      this.budget?.deposit(now);
      this.hedging?.deposit(now);
    }
    const attempt = this.#start(now, this.#nexts, false);
    if (!attempt.ok) return attempt;
    this.#nexts++;
    this.#race?.started(attempt);
    return attempt;
  }

  /** Picks an instance not yet tried and starts an attempt on it. */
  #start(now: number, retries: number, hedge: boolean): LiveAttempt | Refusal {
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
    const target = new Target(picked.url, this, config.hostHeader === 'service');
    const fixed = this.settings.timeoutMs;
    const timeoutMs = fixed === undefined ? deadlines.timeoutMs(now) : fixed === false ? undefined : fixed;
    const attempt = new LiveAttempt(this, picked, target, this.#attempts, now, timeoutMs, fixed === undefined && deadlines.learned !== undefined, retries, hedge);
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

  hedge(launch: (attempt: Attempt) => void): boolean {
    const policy = this.hedging;
    const { request } = this;
    if (policy === undefined || this.#race !== undefined || this.#attempts > 0) return false;
    if (!this.settings.hedge || request.clientCanResend === false || !this.bodyReplayable || !this.settings.idempotent) return false;
    this.#race = new HedgeRace<LiveAttempt>(policy, this.runtime, () => this.#startHedge(policy), launch);
    return true;
  }

  /** The hedge timer fired: an extra attempt, when another instance, the limits and the budget allow. */
  #startHedge(policy: HedgePolicy): LiveAttempt | undefined {
    const service = this.serviceRef.name;
    if (!this.serviceRef.hasInstanceOtherThan(this.#tried ?? this.#first)) {
      this.observer.hedgeRefused?.({ service, reason: 'no-other-instance' });
      return undefined;
    }
    // A hedge is an extra attempt like a retry: the circuit breakers count it as one.
    if (this.serviceRef.limits?.admitsRetry() === false) {
      this.observer.hedgeRefused?.({ service, reason: 'circuit-open' });
      return undefined;
    }
    if (!policy.tryWithdraw()) {
      this.observer.hedgeRefused?.({ service, reason: 'budget' });
      return undefined;
    }
    const attempt = this.#start(this.runtime.now(), this.#nexts - 1, true);
    if (!attempt.ok) return undefined;
    this.observer.hedged?.({ service, attempt: attempt.index });
    return attempt;
  }

  /** Whether the logical URL is https, read from the origin when the adapter gave it (the URL is then not read). */
  private isHttps(): boolean {
    const request = this.request;
    const text = request.origin ?? (typeof request.url === 'string' ? request.url : request.url.protocol);
    // `http:` has its colon at 4: most requests are ruled out without the expression.
    return text.charCodeAt(5) === 58 /* : */ && HTTPS.test(text);
  }

  delay(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(this.runtime, ms, signal);
  }

  release(attempt: LiveAttempt, outcome: Outcome, now?: number): void {
    this.serviceRef.limits?.ended(attempt.index > 0, attempt.answered);
    this.serviceRef.release(attempt.instance, attempt.startedAt, outcome, this.method, now);
  }

  answered(attempt: LiveAttempt, latencyMs: number | undefined, now: number | undefined): void {
    this.serviceRef.limits?.answered();
    const deadlines = this.serviceRef.deadlines;
    const hedging = this.hedging;
    // Only a learned deadline and the hedge delay use the time to headers: no clock read otherwise.
    if (deadlines.learned === undefined && hedging === undefined) return;
    const at = now ?? this.runtime.now();
    const ms = latencyMs ?? at - attempt.startedAt;
    deadlines.record(ms);
    hedging?.answered(ms, at);
  }

  get loadReports(): Service['loadReports'] {
    return this.serviceRef.loadReports;
  }

  cutShort(timeoutMs: number): void {
    this.serviceRef.deadlines.record(timeoutMs);
  }

  decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision {
    const race = this.#race;
    if (race === undefined) return this.#decide(attempt, outcome, facts, responseStarted);
    race.settled(attempt);
    if (outcome.kind === 'cancelled') {
      // The caller gave up (or the request is invalid anywhere): every attempt of the call ends.
      race.end();
      return this.#decide(attempt, outcome, facts, responseStarted);
    }
    const retryable = outcome.kind === 'failure' || facts.retryRequested === true || this.settings.retry.retryOnStatuses.has(outcome.status);
    if (retryable && race.pending > 0) return OTHER_ATTEMPT; // another attempt still runs: it may answer
    const decision = this.#decide(attempt, outcome, facts, responseStarted);
    if (decision.retry) return decision;
    if (outcome.kind === 'response' && attempt.hedge && !race.over) this.observer.hedgeWon?.({ service: this.serviceRef.name, attempt: attempt.index });
    race.end();
    return decision;
  }

  #decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision {
    // Most attempts succeed: a status that is never retried needs no more than this.
    if (outcome.kind === 'response' && facts.retryRequested !== true && !this.settings.retry.retryOnStatuses.has(outcome.status)) return NOT_RETRYABLE;
    return decideRetry(
      {
        outcome,
        method: this.method,
        idempotent: this.settings.idempotent,
        retries: attempt.retries,
        bodyReplayable: facts.bodyCopied === true || this.bodyReplayable,
        bodyConsumed: facts.bodyConsumed ?? false,
        responseStarted,
        retryAfter: readHeader(facts.headers, 'retry-after'),
        clientCanResend: this.request.clientCanResend ?? true,
        retryRequested: facts.retryRequested ?? false,
      },
      {
        service: this.serviceRef.name,
        config: this.settings.retry,
        runtime: this.runtime,
        budget: this.budget,
        observer: this.observer,
        hasOtherInstance: () => this.serviceRef.hasInstanceOtherThan(this.#tried ?? this.#first),
        admitsRetry: this.serviceRef.limits && (() => this.serviceRef.limits!.admitsRetry()),
      },
    );
  }
}

