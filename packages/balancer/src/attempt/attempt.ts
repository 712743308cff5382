/**
 * An attempt: one try of a call on one instance, from the pick to its one reported end. The
 * core owns it: it arms and disarms the attempt deadline, classifies how the attempt ended from
 * the adapter's raw facts (`blame.ts`), and decides whether to retry (`../retry/decide.ts`).
 *
 * Clients that buffer the response may report once, with `end()`. Streaming clients report the
 * response head with `headers()` (which disarms the deadline and decides whether to retry before
 * a byte reaches the caller) and, unless it said retry, the end of the body with `end()`: the
 * instance stays in flight until then, and a body that fails midway is still its failure.
 */
import { AttemptTimeoutError } from '../errors.js';
import type { Instance, InstanceRecord } from '../instance/instance.js';
import { responseOutcome, type Outcome } from '../outcome.js';
import type { RetryDecision } from '../retry/policy.js';
import type { Runtime } from '../runtime.js';
import { hedgeLostError } from '../hedge/race.js';
import { blame } from './blame.js';
import { Deadline, type DeadlineQueue } from './deadline.js';
import type { AttemptFacts, HeaderSource, ResponseFacts } from './facts.js';
import type { AttemptTarget } from './target.js';

/** One try of a call on one instance. */
export interface Attempt {
  readonly ok: true;
  /** 0 for the first attempt of a call, 1 for the first retry... */
  readonly index: number;
  /** The instance picked for it. */
  readonly instance: Instance;
  /** Where to send it: origin, URL, Host header, TLS servername. */
  readonly target: AttemptTarget;
  /**
   * The attempt deadline, ms: `retry.perAttemptTimeoutMs`, or the bound learned from the
   * service's latency when that is not configured; undefined when off.
   */
  readonly timeoutMs: number | undefined;
  /**
   * Arms the attempt deadline (unless off). When it passes before the response headers are
   * reported, `onTimeout` receives the `AttemptTimeoutError` to abort the transport with; report
   * the end as usual (`end()` with whatever the client then says): the core knows its deadline
   * fired and blames the instance. Disarmed by `headers()` and `end()`.
   */
  arm(onTimeout: (error: AttemptTimeoutError) => void): void;
  /**
   * Reports the response head and says whether to retry. On `retry: true` the attempt is over:
   * discard the response. Otherwise hand the response to the caller and call `end()` when its
   * body is finished, failed or abandoned. A second call is ignored.
   */
  headers(facts: ResponseFacts): RetryDecision;
  /** Reports how the attempt ended (once; later calls are ignored) and says whether to retry. */
  end(facts?: AttemptFacts): RetryDecision;
  /**
   * Hedged calls (`call.hedge()`): how the core stops this attempt when another attempt of the
   * call won, or the caller gave up on one of them. By then the core has ended it as cancelled
   * (never blamed; its in-flight count is back): `cancel` only aborts the transport with `reason`
   * and drops whatever it still reports; its later `headers()` and `end()` return
   * `{ retry: false, reason: 'other-attempt' }`. Runs at once if the attempt already lost.
   */
  onCancel(cancel: (reason: Error) => void): void;
}

/**
 * The decision for an attempt of a hedged call whose result is not the call's: another attempt
 * is still pending (this one failed), or won (this one lost). Drop it; tell the caller nothing.
 */
export function isOtherAttempt(decision: RetryDecision): boolean {
  return !decision.retry && decision.reason === 'other-attempt';
}

/** What an attempt needs from its call. */
export interface AttemptOwner {
  readonly serviceName: string;
  /** The service's attempt deadlines. */
  readonly deadlines: DeadlineQueue;
  readonly runtime: Runtime;
  /**
   * Frees the instance and feeds the outcome to outlier detection, the strategy and metrics.
   * `now`: the runtime's time, when the attempt already read it.
   */
  release(attempt: LiveAttempt, outcome: Outcome, now?: number): void;
  /**
   * The attempt's response head arrived (once per attempt): a sample for the learned attempt
   * deadline and the hedge delay's latency window. `latencyMs`: the time to it, when the client
   * gave it; else it is the time since the pick, read from the clock only if a sample is taken
   * (`now`, when the attempt already read it).
   */
  answered(attempt: LiveAttempt, latencyMs: number | undefined, now: number | undefined): void;
  /** The learned deadline cut the attempt short at `timeoutMs` (its real latency is at least that). */
  cutShort(timeoutMs: number): void;
  /** Reads responses' load reports for the strategy; undefined (nothing read) unless it takes them. */
  readonly loadReports: { received(instance: InstanceRecord, headers: HeaderSource): void } | undefined;
  /** The retry decision after `outcome`; `responseStarted`: the caller already has the response. */
  decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision;
}

const ENDED: RetryDecision = Object.freeze({ retry: false, reason: 'not-retryable' });
const STARTED: RetryDecision = Object.freeze({ retry: false, reason: 'response-started' });
export const OTHER_ATTEMPT: RetryDecision = Object.freeze({ retry: false, reason: 'other-attempt' });
const LOST: Outcome = Object.freeze({ kind: 'cancelled', by: 'hedge' });
const NO_FACTS: AttemptFacts = Object.freeze({});

/** An attempt is its own deadline (`Deadline`): arming it allocates nothing. */
export class LiveAttempt extends Deadline implements Attempt {
  readonly ok = true as const;
  #ended = false;
  /** Status reported by `headers()`. */
  #status: number | undefined;
  /** True once `headers()` accepted a response that goes on to the caller as it arrives. */
  #delivered = false;
  /** What to call when the deadline passes (`arm`), until it ends. */
  #onTimeout: ((error: AttemptTimeoutError) => void) | undefined;
  /** True once another attempt of the call won (or the caller gave up on one): ended, never blamed. */
  #lost = false;
  #cancel: ((reason: Error) => void) | undefined;
  /** True once the response headers arrived (reported by `headers()`, or by `end()` with a status). */
  answered = false;
  /** True once the response's headers went to the load reports (once per attempt). */
  #loadRead = false;

  constructor(
    private readonly owner: AttemptOwner,
    readonly instance: InstanceRecord,
    readonly target: AttemptTarget,
    readonly index: number,
    /** Runtime time of the pick, ms. */
    readonly startedAt: number,
    /** The attempt deadline, ms, or undefined when off. */
    readonly timeoutMs: number | undefined,
    /** True when `timeoutMs` is the learned bound (an attempt it cuts short is a sample). */
    private readonly learned = false,
    /** Retries the call made before this attempt (hedges are not retries). */
    readonly retries: number = index,
    /** True for an extra attempt the hedge timer started. */
    readonly hedge: boolean = false,
  ) {
    super();
  }

  /** True once the attempt lost its hedged race. */
  get lost(): boolean {
    return this.#lost;
  }

  onCancel(cancel: (reason: Error) => void): void {
    if (this.#lost) cancel(hedgeLostError());
    else if (!this.#ended) this.#cancel = cancel;
  }

  /** Another attempt of the call won: ends this one as cancelled, then aborts its transport. */
  lose(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#lost = true;
    this.owner.deadlines.end(this); // no-op unless armed
    this.owner.release(this, LOST);
    const cancel = this.#cancel;
    this.#cancel = undefined;
    cancel?.(hedgeLostError());
  }

  arm(onTimeout: (error: AttemptTimeoutError) => void): void {
    const ms = this.timeoutMs;
    // Once per attempt: after its deadline ended, the attempt has ended or has its response head.
    if (ms === undefined || this.armed || this.fired || this.#ended || this.#status !== undefined) return;
    this.#onTimeout = onTimeout;
    this.owner.deadlines.start(this, this.startedAt + ms);
  }

  /** The deadline passed before the response headers (called by the queue). */
  expired(): void {
    const onTimeout = this.#onTimeout;
    this.#onTimeout = undefined;
    onTimeout?.(new AttemptTimeoutError(this.owner.serviceName, this.target.origin, this.timeoutMs!));
  }

  /** The deadline ended first (called by the queue). */
  override released(): void {
    this.#onTimeout = undefined;
  }

  headers(facts: ResponseFacts): RetryDecision {
    if (this.#lost) return OTHER_ATTEMPT;
    if (this.#ended || this.#status !== undefined) return STARTED;
    this.#readLoad(facts.headers);
    if (this.fired) return this.end(facts);
    this.owner.deadlines.end(this);
    this.#answer(undefined, undefined);
    const outcome = responseOutcome(facts.status);
    const decision = this.owner.decide(this, outcome, facts, false);
    if (decision.retry || isOtherAttempt(decision)) {
      this.#cancel = undefined;
      this.#ended = true;
      this.owner.release(this, outcome);
    } else {
      this.#status = facts.status;
      this.#delivered = facts.buffered !== true;
    }
    return decision;
  }

  /** Hands the response's headers to the service's load reports, once, when it reads them. */
  #readLoad(headers: ResponseFacts['headers']): void {
    const reports = this.owner.loadReports;
    if (reports === undefined || headers === undefined || this.#loadRead) return;
    this.#loadRead = true;
    reports.received(this.instance, headers);
  }

  #answer(latencyMs: number | undefined, now: number | undefined): void {
    if (this.answered) return;
    this.answered = true;
    this.owner.answered(this, latencyMs, now);
  }

  end(facts: AttemptFacts = NO_FACTS): RetryDecision {
    if (this.#lost) return OTHER_ATTEMPT;
    if (this.#ended) return ENDED;
    this.#ended = true;
    this.#cancel = undefined;
    this.#readLoad(facts.headers);
    // The one clock read of the attempt's end: its latency, for the instance and the metrics.
    const now = this.owner.runtime.now();
    this.owner.deadlines.end(this);
    const fired = this.fired;
    if (fired) {
      if (this.learned) this.owner.cutShort(this.timeoutMs!);
    } else if (facts.status !== undefined) {
      // A client that reports once (buffered): time to the whole response, an upper bound of the headers'.
      this.#answer(facts.latencyMs, now);
    }
    const status = facts.status ?? this.#status;
    const outcome = blame(facts, fired, status);
    this.owner.release(this, outcome, now);
    return this.owner.decide(this, outcome, facts, this.#delivered);
  }
}
