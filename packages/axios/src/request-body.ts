/**
 * One-shot request bodies. axios pipes a stream body into the request at once, before the
 * connection is made, so even when the connection is then refused (a failure the core always
 * retries, since "the request never left") the stream has been read and cannot be sent again:
 * a retry would send an empty or partial body. Such an attempt is reported with
 * `bodyConsumed: true`, and the core refuses the retry (`body-not-replayable`).
 */
import type { AttemptFacts } from '@datapunk/balancer/adapter';

/** True when `data` is a stream that the adapter has started reading. */
export function bodyConsumed(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || typeof (data as { pipe?: unknown }).pipe !== 'function') return false;
  // Streams that do not say whether they were read (legacy `Stream`s such as form-data) count as read.
  return (data as { readableDidRead?: boolean }).readableDidRead !== false;
}

/** `result`, saying whether the request body was a consumed stream. */
export function withBodyFate(result: AttemptFacts, data: unknown): AttemptFacts {
  return bodyConsumed(data) ? { ...result, bodyConsumed: true } : result;
}
