/**
 * One-shot request bodies (streams, async iterables, web `ReadableStream`s, and every body
 * `fetch` sends: it hands even a string to the dispatcher as an async iterable), copied as undici
 * reads them so that a retry can send them again.
 *
 * undici reads a body only once connected, while it writes the request. Each attempt sends a
 * wrapper that copies what undici reads, up to `call.bodyBufferLimit` bytes, and afterwards tells
 * the core what became of the body:
 * - read to the end within the limit: `bodyCopied: true`, and later attempts send the copy
 *   (a Buffer of the same bytes, so a content-length header stays valid; no header is changed);
 * - read in part, or past the limit (the copy is dropped then, to bound memory):
 *   `bodyConsumed: true`, and the core does not retry;
 * - not read at all (say the connection was refused): nothing, and the next attempt sends the
 *   original, still whole.
 */
import type { AttemptFacts } from '@datapunk/balancer/adapter';
import type { Dispatcher } from 'undici';

type DispatchBody = Dispatcher.DispatchOptions['body'];

/**
 * What an attempt did with a one-shot request body, as facts for the core. `cancelledBy:
 * 'client'`: the body's own source failed (a missing file): the request's fault, not the
 * instance's.
 */
export type BodyFate = Pick<AttemptFacts, 'bodyCopied' | 'bodyConsumed' | 'cancelledBy'>;

/** The body one attempt sends, and how to tell afterwards what became of it. */
export interface AttemptBody {
  readonly body: DispatchBody;
  fate(): BodyFate;
  /**
   * The attempt failed: a stream undici was still reading is destroyed with `reason`, as undici
   * does with stream bodies it writes itself (an iterable it leaves to its owner, now us).
   */
  abandon(reason: Error): void;
}

const UNTOUCHED: BodyFate = Object.freeze({});
const REPLAYABLE: BodyFate = Object.freeze({ bodyCopied: true });
const CONSUMED: BodyFate = Object.freeze({ bodyConsumed: true });
const SOURCE_FAILED: BodyFate = Object.freeze({ bodyConsumed: true, cancelledBy: 'client' });
const keep = (): void => {};

/**
 * A request's body across its attempts. Bodies that can be sent again (strings, buffers...),
 * bodies undici does not read as an async iterable (legacy streams, `FormData`), and any body
 * when `limit` is 0 (retries off) are sent as given to every attempt, untouched.
 */
export class RequestBody {
  /** No body: every attempt sends none. */
  static readonly NONE = new RequestBody(undefined, 0);
  readonly #body: DispatchBody;
  readonly #limit: number;
  #last: BodyCopy | undefined;
  /** What every attempt sends when the body is sent as given. */
  #plain: AttemptBody | undefined;

  /** `limit`: bytes that may be copied (`call.bodyBufferLimit`). */
  constructor(body: DispatchBody, limit: number) {
    this.#body = body;
    this.#limit = isAsyncIterable(body) ? limit : 0;
    // undici listens for errors of a stream body as soon as it is dispatched; it now gets the
    // wrapper instead, so an early error (a missing file) is held by the stream until the
    // wrapper reads it, rather than thrown as an unhandled 'error' event.
    if (this.#limit > 0 && isStream(body)) body.on('error', () => {});
  }

  /** The body to send with the next attempt. */
  forAttempt(): AttemptBody {
    if (this.#limit <= 0) return (this.#plain ??= { body: this.#body, fate: () => UNTOUCHED, abandon: keep });
    const copy = this.#last?.copy;
    if (copy !== undefined) return { body: copy, fate: () => REPLAYABLE, abandon: keep };
    // Unread so far. (Had an attempt read part of it, the core would not have retried.)
    const wrapper = new BodyCopy(this.#body as AsyncIterable<unknown>, this.#limit);
    this.#last = wrapper;
    // undici reads any async iterable (lib/core/request.js), though its types do not say so.
    return { body: wrapper as unknown as DispatchBody, fate: () => wrapper.fate(), abandon: (reason) => wrapper.abandon(reason) };
  }
}

/** Passes a one-shot body through to undici, copying it up to `limit` bytes. */
class BodyCopy implements AsyncIterable<unknown> {
  #started = false;
  #done = false;
  #sourceFailed = false;
  #parts: Buffer[] | undefined = [];
  #bytes = 0;
  /** The whole body, once read to the end within the limit. */
  copy: Buffer | undefined;

  constructor(
    private readonly source: AsyncIterable<unknown>,
    private readonly limit: number,
  ) {}

  fate(): BodyFate {
    if (this.#sourceFailed) return SOURCE_FAILED;
    return this.copy !== undefined ? REPLAYABLE : this.#started ? CONSUMED : UNTOUCHED;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown, void, undefined> {
    if (this.#started) throw new Error('a one-shot request body cannot be read twice');
    this.#started = true;
    const iterator = this.source[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        this.#sourceFailed = true;
        throw error;
      }
      if (next.done) break;
      this.#keep(next.value);
      yield next.value;
    }
    this.#done = true;
    if (this.#parts !== undefined) this.copy = Buffer.concat(this.#parts, this.#bytes);
    this.#parts = undefined;
  }

  abandon(reason: Error): void {
    if (this.#started && !this.#done && isStream(this.source)) this.source.destroy?.(reason);
  }

  /** Copies `chunk` (producers may reuse their buffers), or drops the copy past the limit. */
  #keep(chunk: unknown): void {
    if (this.#parts === undefined) return;
    if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) return this.#drop(); // undici will refuse it
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.#bytes + size > this.limit) return this.#drop();
    this.#bytes += size;
    this.#parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(new Uint8Array(chunk.buffer, chunk.byteOffset, size)));
  }

  #drop(): void {
    this.#parts = undefined;
  }
}

function isAsyncIterable(body: unknown): body is AsyncIterable<unknown> {
  return typeof (body as Partial<AsyncIterable<unknown>> | null | undefined)?.[Symbol.asyncIterator] === 'function';
}

function isStream(body: unknown): body is { on(event: 'error', fn: () => void): unknown; destroy?(error: Error): unknown } {
  const stream = body as { pipe?: unknown; on?: unknown };
  return typeof stream.pipe === 'function' && typeof stream.on === 'function';
}
