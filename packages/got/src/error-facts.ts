/**
 * What a got error says about an attempt, in the core's terms: who stopped it (the caller, got's
 * own per-attempt timeout, got itself before sending) or the complete response it carries.
 */
import type { AttemptFacts } from '@datapunk/balancer/adapter';
import type { GotError } from './got-shapes.js';

/** got errors that carry a complete response: the instance answered, with this status. */
const ANSWERED = new Set(['HTTPError', 'ParseError', 'MaxRedirectsError', 'RetryError']);
/** got's names for "the caller gave up": its `signal`, `promise.cancel()`. */
const CALLER_GAVE_UP = new Set(['AbortError', 'CancelError']);

/**
 * The facts of an attempt got ended with `error`. `callerAborted`: the caller's signal fired;
 * `dispatched`: got had created the attempt's HTTP request.
 */
export function gotErrorFacts(error: GotError, callerAborted: boolean, dispatched: boolean): AttemptFacts {
  if (callerAborted || CALLER_GAVE_UP.has(error.name)) return { error, cancelledBy: 'caller' };
  // got's own `timeout` is per attempt: the instance was too slow.
  if (error.name === 'TimeoutError') return { error, cancelledBy: 'client-timeout' };
  // got failed before it created a request (a hook threw, the body could not be serialised).
  if (!dispatched) return { error, cancelledBy: 'client' };
  if (error.response !== undefined && ANSWERED.has(error.name)) {
    // A complete response; with `RetryError` the caller's `afterResponse` hook asked to retry it.
    return { status: error.response.statusCode, headers: error.response.headers, retryRequested: error.name === 'RetryError' };
  }
  return { error };
}
