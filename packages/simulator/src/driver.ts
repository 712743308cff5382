/**
 * The driver: the only file that talks to the core's attempt lifecycle. It does what an adapter
 * does (`balancer.call()`, `call.next()`, `attempt.arm()`, `attempt.end()`, `call.delay()`),
 * over the simulated transport instead of sockets. When the core's call API changes, this file
 * changes and nothing else in the simulator does.
 *
 * Callbacks rather than async/await on the hot path: a request costs no promise unless it backs
 * off before a retry.
 */
import type { Balancer } from '@datapunk/balancer';
import type { CallRequest, RetryDecision } from '@datapunk/balancer/adapter';

/** What the simulated network reports for one attempt. */
export type SendResult = { readonly status: number } | { readonly error: Error };

/** The simulated transport of one client. */
export interface Transport {
  /** Sends an attempt to the instance at `origin`; `onDone` runs once, unless it is never answered. */
  send(origin: string, onDone: (result: SendResult) => void): void;
}

/** How a call ended, as the caller saw it. */
export interface CallEnd {
  /** Final status, when a response was returned to the caller. */
  readonly status: number | undefined;
  /** Why there was no response: a failure kind, `unavailable` (no instance), or `deadline`. */
  readonly failure: 'refused' | 'reset' | 'timeout' | 'unavailable' | 'deadline' | 'other' | undefined;
  readonly attempts: number;
}

/** Handle of a call in progress, so the caller's deadline can abandon it. */
export interface CallHandle {
  /** The caller gives up: the attempt in flight is reported cancelled (never the instance's fault). */
  abandon(): void;
}

const failureOf = (error: Error): CallEnd['failure'] => {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET') return 'reset';
  if (code === 'ERR_BALANCER_ATTEMPT_TIMEOUT') return 'timeout';
  return 'other';
};

/**
 * Runs one call through the balancer: picks, sends, reports each attempt's end to the core and
 * follows its retry decisions. `done` runs exactly once.
 */
export function startCall(balancer: Balancer, request: CallRequest, transport: Transport, done: (end: CallEnd) => void): CallHandle {
  const call = balancer.call(request);
  let attempts = 0;
  let finished = false;
  /** Ends the attempt in flight (cancelled) when the caller gives up; undefined between attempts. */
  let abandonAttempt: (() => void) | undefined;
  const finish = (end: CallEnd): void => {
    if (finished) return;
    finished = true;
    abandonAttempt = undefined;
    done(end);
  };
  if (call === undefined) {
    finish({ status: undefined, failure: 'other', attempts: 0 });
    return { abandon() {} };
  }

  const attempt = (): void => {
    if (finished) return;
    const a = call.next();
    if (!a.ok) {
      finish({ status: undefined, failure: 'unavailable', attempts });
      return;
    }
    attempts++;
    let settled = false;
    const settle = (report: () => RetryDecision, end: Omit<CallEnd, 'attempts'>): void => {
      if (settled) return;
      settled = true;
      abandonAttempt = undefined;
      const decision = report();
      if (decision.retry && !finished) {
        void call.delay(decision.delayMs).then(attempt);
        return;
      }
      finish({ ...end, attempts });
    };
    a.arm((error) => settle(() => a.end({ error }), { status: undefined, failure: 'timeout' }));
    abandonAttempt = () => {
      if (settled) return;
      settled = true;
      a.end({ cancelledBy: 'caller' });
    };
    transport.send(a.target.origin, (result) => {
      if ('status' in result) settle(() => a.end({ status: result.status }), { status: result.status, failure: undefined });
      else settle(() => a.end({ error: result.error }), { status: undefined, failure: failureOf(result.error) });
    });
  };

  attempt();
  return {
    abandon() {
      if (finished) return;
      abandonAttempt?.();
      finish({ status: undefined, failure: 'deadline', attempts });
    },
  };
}
