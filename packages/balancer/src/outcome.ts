/**
 * Outcomes: what happened to one attempt, and what it says about the instance.
 *
 * Adapters report raw facts (a status, an error, a cancellation); this module classifies them
 * once, so every adapter and every consumer (outlier detection, EWMA, metrics, retries) agrees.
 */

/** How a transport-level failure happened. */
export type FailureKind =
  /** The connection could not be made: the request never left (always safe to retry). */
  | 'connect'
  /** The connection broke after it was made (reset, premature close, broken pipe). */
  | 'reset'
  /** The per-attempt timeout (or a transport timeout) fired before the attempt finished. */
  | 'timeout'
  /** Anything else the transport reported (protocol errors, unknown errors). */
  | 'other';

/** The classified result of one attempt. */
export type Outcome =
  /** A response arrived. 5xx counts as an instance failure; 4xx does not. */
  | { readonly kind: 'response'; readonly status: number; readonly latencyMs?: number }
  /** The transport failed. Always an instance failure. */
  | { readonly kind: 'failure'; readonly failure: FailureKind; readonly latencyMs?: number }
  /**
   * Not the instance's fault; only frees the slot, never retried. `by: 'caller'` (the default):
   * the caller gave up (abort, its own timeout). `by: 'invalid-request'`: the request itself was
   * refused by the client before or while sending (a bad header, a body stream that failed, a
   * content-length mismatch), so any instance would have failed it. `by: 'hedge'`: another
   * attempt of a hedged call answered first.
   */
  | { readonly kind: 'cancelled'; readonly by?: 'caller' | 'invalid-request' | 'hedge'; readonly latencyMs?: number };

/** True when the outcome counts against the instance (5xx or transport failure). */
export function isInstanceFailure(outcome: Outcome): boolean {
  return outcome.kind === 'failure' || (outcome.kind === 'response' && outcome.status >= 500);
}

/** True for 502/503/504 and transport failures (Envoy's "gateway failure"). */
export function isGatewayFailure(outcome: Outcome): boolean {
  return outcome.kind === 'failure' || (outcome.kind === 'response' && outcome.status >= 502 && outcome.status <= 504);
}

/**
 * True when the outcome should make latency-aware strategies avoid the instance: instance
 * failures and 429 (the instance is shedding load).
 */
export function isLatencyPenalised(outcome: Outcome): boolean {
  return isInstanceFailure(outcome) || (outcome.kind === 'response' && outcome.status === 429);
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  // Node 24: a write queued while connecting, failed when the socket closed (refused) first.
  'ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
]);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED_SOCKET',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_EOF_STATE',
  'ERR_HTTP2_STREAM_ERROR',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_BALANCER_ATTEMPT_TIMEOUT',
]);
const CANCEL_CODES = new Set(['ERR_CANCELED', 'ABORT_ERR', 'UND_ERR_ABORTED', 'ERR_ABORTED']);
/** Errors raised by the client about the request itself: any instance would fail them. */
const INVALID_REQUEST_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_URL',
]);

/** Walks an error and its `cause` chain (bounded) looking for a string `code`. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const name = (current as { name?: unknown }).name;
    if (name === 'AbortError') codes.push('ABORT_ERR');
    if (name === 'TimeoutError') codes.push('ETIMEDOUT');
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * Classifies a transport error by its `code` (looking through `cause`, as `fetch` wraps errors).
 * Returns `'cancelled'` for aborts and `'invalid-request'` for errors about the request itself.
 * Unknown errors are `'other'` failures.
 */
export function classifyError(error: unknown): FailureKind | 'cancelled' | 'invalid-request' {
  const codes = codesOf(error);
  for (const code of codes) if (INVALID_REQUEST_CODES.has(code)) return 'invalid-request';
  for (const code of codes) {
    if (CONNECT_CODES.has(code)) return 'connect';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (RESET_CODES.has(code)) return 'reset';
  }
  for (const code of codes) if (CANCEL_CODES.has(code)) return 'cancelled';
  const message = error instanceof Error ? error.message : '';
  if (/socket hang up|other side closed/i.test(message)) return 'reset';
  return 'other';
}

/** Builds an outcome from an error, using `classifyError`. */
export function outcomeFromError(error: unknown, latencyMs?: number): Outcome {
  const kind = classifyError(error);
  const latency = latencyMs === undefined ? {} : { latencyMs };
  if (kind === 'cancelled') return { kind, ...latency };
  if (kind === 'invalid-request') return { kind: 'cancelled', by: 'invalid-request', ...latency };
  return latencyMs === undefined ? { kind: 'failure', failure: kind } : { kind: 'failure', failure: kind, latencyMs };
}

/** A short label for metrics and logs: the status code, the failure kind, `cancelled` or `invalid-request`. */
export function outcomeLabel(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'response':
      return String(outcome.status);
    case 'failure':
      return outcome.failure;
    case 'cancelled':
      return outcome.by === 'invalid-request' ? 'invalid-request' : 'cancelled';
  }
}

/**
 * One frozen response outcome per status: the common outcome of every attempt costs no allocation.
 * Filled to its length at once: an array grown by writing at index 200 would keep its elements in
 * a dictionary, and every read would be a hash lookup.
 */
const RESPONSES: (Outcome | undefined)[] = new Array<Outcome | undefined>(600).fill(undefined);

/** The outcome `{ kind: 'response', status }`, shared (frozen) for statuses 100-599. */
export function responseOutcome(status: number): Outcome {
  if (!Number.isInteger(status) || status < 100 || status > 599) return { kind: 'response', status };
  return (RESPONSES[status] ??= Object.freeze({ kind: 'response', status }));
}
