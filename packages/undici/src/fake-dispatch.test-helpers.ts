/**
 * A fake undici `dispatch` that records what was sent and lets a test play the transport's part
 * (connect, headers, body, errors), and a handler that records what the caller saw. Modelled on
 * undici's own test/retry-handler.js.
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;
type Handler = Dispatcher.DispatchHandler;

/** One dispatched attempt, driven by the test as the transport would. */
export class Sent {
  aborted = false;
  reason: Error | null = null;
  paused = false;
  private started = false;
  readonly controller: Controller;

  constructor(
    readonly opts: Dispatcher.DispatchOptions & { servername?: string },
    readonly handler: Handler,
  ) {
    const sent = (): this => this;
    this.controller = {
      get aborted() {
        return sent().aborted;
      },
      get paused() {
        return sent().paused;
      },
      get reason() {
        return sent().reason;
      },
      // As in undici: aborting a running request reports the reason through onResponseError.
      abort(reason: Error) {
        const s = sent();
        if (s.aborted) return;
        s.aborted = true;
        s.reason = reason;
        if (s.started) handler.onResponseError?.(this, reason);
      },
      pause() {
        sent().paused = true;
      },
      resume() {
        sent().paused = false;
      },
    };
  }

  get origin(): string {
    return String(this.opts.origin);
  }

  /** The connection is made and the request written. */
  start(): this {
    this.started = true;
    this.handler.onRequestStart?.(this.controller, null);
    return this;
  }
  respond(status: number, headers: Record<string, string> = {}): this {
    this.handler.onResponseStart?.(this.controller, status, headers, '');
    return this;
  }
  data(text: string): this {
    this.handler.onResponseData?.(this.controller, Buffer.from(text));
    return this;
  }
  end(): this {
    this.handler.onResponseEnd?.(this.controller, {});
    return this;
  }
  upgrade(status: number, socket: Duplex): this {
    this.handler.onRequestUpgrade?.(this.controller, status, {}, socket);
    return this;
  }
  /** A transport error (before or after the headers). */
  fail(error: Error): this {
    this.handler.onResponseError?.(this.controller, error);
    return this;
  }
  /**
   * undici writing the request body: reads `opts.body` to the end, or only `maxChunks` chunks and
   * then stops (as a failed write leaves a `for await` loop). Returns the bytes read, as text.
   */
  async readBody(maxChunks = Infinity): Promise<string> {
    const body: unknown = this.opts.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) return body.toString();
    const parts: Buffer[] = [];
    const chunks = (body as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]();
    for (let n = 0; n < maxChunks; n++) {
      const next = await chunks.next();
      if (next.done) return Buffer.concat(parts).toString();
      parts.push(Buffer.from(next.value));
    }
    await chunks.return?.();
    return Buffer.concat(parts).toString();
  }
  /** A whole 200 response with a body. */
  ok(body = 'ok'): this {
    return this.start().respond(200).data(body).end();
  }
}

/** A fake next `dispatch`: records each call. */
export function fakeDispatch(): { dispatch: Dispatcher.Dispatch; sent: Sent[] } {
  const sent: Sent[] = [];
  const dispatch = (opts: Dispatcher.DispatchOptions, handler: Handler): boolean => {
    sent.push(new Sent(opts, handler));
    return true;
  };
  return { dispatch, sent };
}

/** A caller's handler that records every callback it gets, as short strings. */
export class RecordingHandler implements Handler {
  readonly events: string[] = [];
  controller: Controller | undefined;
  error: Error | undefined;
  body = '';

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    this.events.push('start');
  }
  onRequestUpgrade(_c: Controller, status: number): void {
    this.events.push(`upgrade ${status}`);
  }
  onResponseStart(_c: Controller, status: number): void {
    this.events.push(`headers ${status}`);
  }
  onResponseData(_c: Controller, chunk: Buffer): void {
    this.body += chunk.toString();
    this.events.push('data');
  }
  onResponseEnd(): void {
    this.events.push('end');
  }
  onResponseError(_c: Controller, error: Error): void {
    this.error = error;
    this.events.push(`error ${(error as { code?: string }).code ?? error.message}`);
  }

  /** The number of terminal callbacks (end or error) seen. */
  get terminals(): number {
    return this.events.filter((e) => e === 'end' || e.startsWith('error')).length;
  }
}

export const connectionRefused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
export const connectionReset = (): Error => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
