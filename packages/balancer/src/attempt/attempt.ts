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
import type { Outcome } from '../outcome.js';
import type { RetryDecision } from '../retry/policy.js';
import type { Runtime } from '../runtime.js';
import { blame } from './blame.js';
import type { DeadlineEntry, DeadlineQueue } from './deadline.js';
import type { AttemptFacts, ResponseFacts } from './facts.js';
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
}

/** What an attempt needs from its call. */
export interface AttemptOwner {
  readonly serviceName: string;
  /** The service's attempt deadlines. */
  readonly deadlines: DeadlineQueue;
  readonly runtime: Runtime;
  /** Frees the instance and feeds the outcome to outlier detection, the strategy and metrics. */
  release(attempt: LiveAttempt, outcome: Outcome): void;
  /** The attempt's response headers arrived after `latencyMs` (once per attempt). */
  answered(latencyMs: number): void;
  /** The learned deadline cut the attempt short at `timeoutMs` (its real latency is at least that). */
  cutShort(timeoutMs: number): void;
  /** The retry decision after `outcome`; `responseStarted`: the caller already has the response. */
  decide(attempt: LiveAttempt, outcome: Outcome, facts: AttemptFacts, responseStarted: boolean): RetryDecision;
}

const ENDED: RetryDecision = Object.freeze({ retry: false, reason: 'not-retryable' });
const STARTED: RetryDecision = Object.freeze({ retry: false, reason: 'response-started' });

export class LiveAttempt implements Attempt {
  readonly ok = true as const;
  #ended = false;
  /** Status reported by `headers()`. */
  #status: number | undefined;
  /** True once `headers()` accepted a response that goes on to the caller as it arrives. */
  #delivered = false;
  #deadline: DeadlineEntry | undefined;
  /** True once the response headers arrived (reported by `headers()`, or by `end()` with a status). */
  answered = false;

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
  ) {}

  arm(onTimeout: (error: AttemptTimeoutError) => void): void {
    const ms = this.timeoutMs;
    if (ms === undefined || this.#deadline !== undefined || this.#ended || this.#status !== undefined) return;
    this.#deadline = this.owner.deadlines.arm(this.startedAt, ms, () => onTimeout(new AttemptTimeoutError(this.owner.serviceName, this.target.origin, ms)));
  }

  headers(facts: ResponseFacts): RetryDecision {
    if (this.#ended || this.#status !== undefined) return STARTED;
    if (this.#deadline !== undefined) {
      if (this.#deadline.fired) return this.end(facts);
      this.owner.deadlines.end(this.#deadline);
    }
    this.#answer(this.owner.runtime.now() - this.startedAt);
    const outcome: Outcome = { kind: 'response', status: facts.status };
    const decision = this.owner.decide(this, outcome, facts, false);
    if (decision.retry) {
      this.#ended = true;
      this.owner.release(this, outcome);
    } else {
      this.#status = facts.status;
      this.#delivered = facts.buffered !== true;
    }
    return decision;
  }

  #answer(latencyMs: number): void {
    if (this.answered) return;
    this.answered = true;
    this.owner.answered(latencyMs);
  }

  end(facts: AttemptFacts = {}): RetryDecision {
    if (this.#ended) return ENDED;
    this.#ended = true;
    const deadline = this.#deadline;
    if (deadline !== undefined) this.owner.deadlines.end(deadline);
    const fired = deadline?.fired ?? false;
    if (fired) {
      if (this.learned) this.owner.cutShort(this.timeoutMs!);
    } else if (facts.status !== undefined) {
      // A client that reports once (buffered): time to the whole response, an upper bound of the headers'.
      this.#answer(facts.latencyMs ?? this.owner.runtime.now() - this.startedAt);
    }
    const status = facts.status ?? this.#status;
    const outcome = blame(facts, fired, status);
    this.owner.release(this, outcome);
    return this.owner.decide(this, outcome, facts, this.#delivered);
  }
}
