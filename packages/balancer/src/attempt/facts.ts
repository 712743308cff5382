/**
 * The facts an adapter reports about one attempt: what its client saw, never a verdict. The core
 * turns them into an outcome (`blame.ts`) and a retry decision (`../retry/decide.ts`), the same
 * way for every client.
 */

/**
 * Who stopped an attempt, when the adapter knows it:
 * - `caller`: the caller gave up: its abort signal, its deadline for the whole request
 *   (`AbortSignal.timeout()`, axios's `timeout`), a cancelled promise, a body it stopped reading.
 *   Never the instance's fault, never retried.
 * - `client-timeout`: the client's own per-attempt timer fired (got's `timeout`, undici's
 *   `headersTimeout`/`bodyTimeout`): the instance was too slow, as with the balancer's own
 *   attempt deadline. Blamed on the instance; retried when safe.
 * - `client`: the client refused the request itself before or while sending it (an invalid
 *   header, a body stream that failed): any instance would have failed it. Never blamed, never
 *   retried. Errors with known codes (`UND_ERR_INVALID_ARG`, `ERR_INVALID_CHAR`...) are
 *   recognised without it.
 */
export type CancelledBy = 'caller' | 'client-timeout' | 'client';

/** Reads a response header by lower-case name; undefined when absent. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Response headers as a flat `[name, value, name, value, ...]` list, unparsed: undici's raw
 * headers (Buffers, or strings) and Node's `IncomingMessage.rawHeaders`. Names in any case.
 */
export type RawHeaders = readonly (string | Buffer)[];

/**
 * A response's headers: a reader, a raw list (read only when the core needs a header, so an
 * adapter need not parse them), or an object keyed by lower-case name (Node's and undici's
 * header objects), whose repeated headers are arrays.
 */
export type HeaderSource = HeaderReader | RawHeaders | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Header `name` (lower case) of `source`; the first value of a repeated one. */
export function readHeader(source: HeaderSource | undefined, name: string): string | undefined {
  if (source === undefined) return undefined;
  if (typeof source === 'function') return source(name);
  if (isRawHeaders(source)) return readRawHeader(source, name);
  const value = (source as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  return typeof value === 'string' ? value : value?.[0];
}

function isRawHeaders(source: HeaderSource): source is RawHeaders {
  return Array.isArray(source);
}

/** The first value of header `name` (lower case) in a raw list; names compared without case. */
function readRawHeader(raw: RawHeaders, name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    // Same length first: most names are ruled out without decoding a Buffer.
    if (key.length !== name.length) continue;
    const text = typeof key === 'string' ? key : key.toString('latin1');
    if (text.toLowerCase() === name) {
      const value = raw[i + 1]!;
      return typeof value === 'string' ? value : value.toString('latin1');
    }
  }
  return undefined;
}

/** What became of the request body on this attempt (one-shot bodies only). */
export interface RequestBodyFacts {
  /**
   * The adapter kept a complete copy of a one-shot body as it was sent (within
   * `call.bodyBufferLimit` bytes): a retry can send the copy.
   */
  readonly bodyCopied?: boolean;
  /**
   * Some of a one-shot body was read, even though the connection then failed: it cannot be sent
   * again. Clients that read the body before connecting (axios, got) say so.
   */
  readonly bodyConsumed?: boolean;
}

/** The response head: reported by `attempt.headers()` before the caller sees the response. */
export interface ResponseFacts extends RequestBodyFacts {
  readonly status: number;
  /** The response's headers (the core reads `retry-after` and load reports itself). */
  readonly headers?: HeaderSource;
  /**
   * The client reads the whole body before the caller sees anything (axios, got's promise): a
   * body that then fails midway may still be retried. Default false: the response goes on to
   * the caller now (streams, fetch, undici).
   */
  readonly buffered?: boolean;
}

/** How an attempt ended: reported once, by `attempt.end()`. */
export interface AttemptFacts extends RequestBodyFacts {
  /** Response status, when headers arrived (omit it if `headers()` already reported them). */
  readonly status?: number;
  /** The response's headers, when they arrived. */
  readonly headers?: HeaderSource;
  /** The error the client reported, if any: the transport's, or a body that failed midway. */
  readonly error?: unknown;
  /** Who stopped the attempt, when the adapter knows. */
  readonly cancelledBy?: CancelledBy;
  /** Latency to report instead of the time since the pick, ms. */
  readonly latencyMs?: number;
  /**
   * The caller's own code asked to retry this response (got's `retryWithMergedOptions` in an
   * `afterResponse` hook): retried whatever its status and method, still within `maxRetries`,
   * the retry budget and the instances left.
   */
  readonly retryRequested?: boolean;
}
