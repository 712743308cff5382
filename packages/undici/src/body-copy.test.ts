import { Readable } from 'node:stream';
import { createBalancer, type RetryOptions } from '@datapunk/balancer';
import { createFakeRuntime } from '@datapunk/balancer/testing';
import { describe, expect, it } from 'vitest';
import { RequestBody } from './body-copy.js';
import { connectionRefused, connectionReset, fakeDispatch, RecordingHandler } from './fake-dispatch.test-helpers.js';
import { balancerInterceptor } from './interceptor.js';

const origins = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

/** A one-shot body as `fetch` hands it to the dispatcher; `reads` counts the chunks taken from it. */
function oneShot(...chunks: (string | Uint8Array)[]) {
  const source = {
    reads: 0,
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        source.reads++;
        yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      }
    },
  };
  return source;
}

/** Reads an attempt's body to the end, as undici would, and returns its bytes. */
async function readAll(body: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<string | ArrayBufferView>) {
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(parts);
}

function setup(retry: RetryOptions = {}) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({
    services: {
      orders: {
        instances: origins,
        strategy: 'round-robin',
        outlierDetection: false,
        retry: { maxRetries: 2, backoffBaseMs: 0, backoffMaxMs: 0, ...retry },
      },
    },
    runtime,
  });
  const { dispatch, sent } = fakeDispatch();
  const caller = new RecordingHandler();
  const headers = { 'content-type': 'application/json', 'content-length': '8' };
  const put = (body: unknown) =>
    balancerInterceptor(balancer)(dispatch)({ origin: 'http://orders', path: '/items/7', method: 'PUT', headers, body: body as string }, caller);
  const totals = () => {
    const sum = { requests: 0, failures: 0, cancelled: 0, inFlight: 0 };
    for (const i of balancer.snapshot().services.orders!.instances) {
      sum.requests += i.totals.requests;
      sum.failures += i.totals.failures;
      sum.cancelled += i.totals.cancelled;
      sum.inFlight += i.inFlight;
    }
    return sum;
  };
  return { runtime, sent, caller, headers, put, totals, advance: () => runtime.advanceAsync(1) };
}

describe('RequestBody', () => {
  it('sends strings, buffers and anything when the limit is 0 as given, to every attempt', () => {
    const stream = oneShot('x');
    for (const [body, limit] of [['text', 10], [Buffer.from('b'), 10], [stream, 0]] as const) {
      const bodies = new RequestBody(body as never, limit);
      for (let i = 0; i < 2; i++) expect(bodies.forAttempt()).toMatchObject({ body, fate: expect.any(Function) });
      expect(bodies.forAttempt().fate()).toEqual({});
    }
  });

  it('copies the bytes undici reads (strings, typed arrays, buffers the producer reuses) and replays them', async () => {
    const reused = Buffer.from('ab');
    const source = (async function* () {
      yield 'é-';
      yield new Uint16Array([0x4241]); // "AB" little-endian
      yield reused;
      reused.write('zz'); // a producer refilling its buffer must not change the copy
    })();
    const bodies = new RequestBody(source as never, 100);
    const first = bodies.forAttempt();
    expect(first.fate()).toEqual({});
    expect((await readAll(first.body)).length).toBe(7);
    expect(first.fate()).toEqual({ bodyCopied: true });
    const replay = bodies.forAttempt();
    expect(replay.body).toEqual(Buffer.from('é-ABab'));
    expect(replay.fate()).toEqual({ bodyCopied: true });
  });

  it('a Node stream that fails before undici reads it does not crash the process: the read fails', async () => {
    const stream = new Readable({ read() {} });
    const attempt = new RequestBody(stream as never, 100).forAttempt();
    stream.destroy(Object.assign(new Error('open failed'), { code: 'ENOENT' }));
    await new Promise((resolve) => setImmediate(resolve)); // the 'error' event has been emitted
    await expect(readAll(attempt.body)).rejects.toMatchObject({ code: 'ENOENT' });
    // The body's own source failed: the request's fault, never the instance's.
    expect(attempt.fate()).toEqual({ bodyConsumed: true, cancelledBy: 'client' });
  });
});

describe('one-shot bodies through the interceptor (a fake dispatch reads the body as undici does)', () => {
  it('a body read whole is replayed after a 503: every retry sends the same bytes and the same headers', async () => {
    const { sent, caller, headers, put, totals, advance } = setup();
    const body = oneShot('{"a":', '1}  ');
    put(body);
    expect(await sent[0]!.start().readBody()).toBe('{"a":1}  ');
    sent[0]!.respond(503);
    await advance();
    expect(sent[1]!.opts.body).toEqual(Buffer.from('{"a":1}  '));
    sent[1]!.start().respond(503);
    await advance();
    expect(sent[2]!.opts.body).toEqual(Buffer.from('{"a":1}  '));
    sent[2]!.ok();
    expect(sent.map((s) => s.opts.headers)).toEqual([headers, headers, headers]);
    expect(new Set(sent.map((s) => s.origin)).size).toBe(3);
    expect(body.reads).toBe(2);
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(totals()).toEqual({ requests: 3, failures: 2, cancelled: 0, inFlight: 0 });
  });

  it('a body exactly at the limit is replayed', async () => {
    const { sent, caller, put, advance } = setup({ bufferBodyBytes: 8 });
    put(oneShot('abcd', 'efgh'));
    await sent[0]!.start().readBody();
    sent[0]!.respond(503);
    await advance();
    expect(sent[1]!.opts.body).toEqual(Buffer.from('abcdefgh'));
    sent[1]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
  });

  it('a body one byte over the limit is not replayed: the caller gets the 503', async () => {
    const { sent, caller, put, totals, advance } = setup({ bufferBodyBytes: 8 });
    put(oneShot('abcd', 'efghi'));
    expect(await sent[0]!.start().readBody()).toBe('abcdefghi'); // sent whole all the same
    sent[0]!.respond(503).data('busy').end();
    await advance();
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'headers 503', 'data', 'end']);
    expect(totals()).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('a connection refused before undici read the body: the next attempt sends the original, whole', async () => {
    const { sent, caller, put, advance } = setup();
    const body = oneShot('ab', 'cd');
    put(body);
    sent[0]!.fail(connectionRefused());
    await advance();
    expect(body.reads).toBe(0);
    expect(await sent[1]!.start().readBody()).toBe('abcd');
    sent[1]!.respond(503); // now read: the copy goes to the next attempt
    await advance();
    expect(sent[2]!.opts.body).toEqual(Buffer.from('abcd'));
    sent[2]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
  });

  it('a reset after the whole body was read is retried with the copy', async () => {
    const { sent, caller, put, advance } = setup();
    put(oneShot('ab', 'cd'));
    await sent[0]!.start().readBody();
    sent[0]!.fail(connectionReset());
    await advance();
    expect(sent[1]!.opts.body).toEqual(Buffer.from('abcd'));
    sent[1]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
  });

  it('a body source that fails while undici sends it is nobody\'s fault: not blamed, not retried', async () => {
    const { sent, caller, put, totals, advance } = setup();
    put({
      async *[Symbol.asyncIterator]() {
        yield new TextEncoder().encode('ab');
        throw Object.assign(new Error('disk read failed'), { code: 'EIO' });
      },
    });
    const reading = sent[0]!.start().readBody(2);
    await expect(reading).rejects.toMatchObject({ code: 'EIO' });
    sent[0]!.fail(Object.assign(new Error('disk read failed'), { code: 'EIO' }));
    await advance();
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'error EIO']);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('a reset after part of the body was read is not retried: the body is spent', async () => {
    const { sent, caller, put, totals, advance } = setup();
    put(oneShot('ab', 'cd'));
    expect(await sent[0]!.start().readBody(1)).toBe('ab');
    sent[0]!.fail(connectionReset());
    await advance();
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'error UND_ERR_SOCKET']);
    expect(totals()).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('a stream undici was still reading is destroyed when the attempt fails, as undici does with streams', async () => {
    for (const end of ['reset', 'caller abort'] as const) {
      const { sent, caller, put } = setup();
      const stream = new Readable({ read() {} });
      stream.push('ab'); // then nothing more for now
      put(stream);
      const reading = (sent[0]!.start().opts.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      expect(String((await reading.next()).value)).toBe('ab');
      const waiting = reading.next(); // undici waits for the next chunk
      if (end === 'reset') sent[0]!.fail(connectionReset());
      else caller.controller!.abort(new Error('bye'));
      await expect(waiting).rejects.toThrow(end === 'reset' ? 'other side closed' : 'bye');
      expect(stream.destroyed).toBe(true);
    }
  });

  it('a stream never read is left whole when the connection is refused, and sent by the next attempt', async () => {
    const { sent, put, advance } = setup();
    const stream = Readable.from(['ab', 'cd']);
    put(stream);
    sent[0]!.fail(connectionRefused());
    await advance();
    expect(stream.destroyed).toBe(false);
    expect(await sent[1]!.start().readBody()).toBe('abcd');
  });

  it('a 503 that comes while the body is still being sent is not retried', async () => {
    const { sent, caller, put, advance } = setup();
    put(oneShot('ab', 'cd'));
    await sent[0]!.start().readBody(1);
    sent[0]!.respond(503);
    await advance();
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'headers 503']);
  });

  it('with retries off the body is sent as given, not wrapped', () => {
    const { sent, put } = setup({ maxRetries: 0 });
    const body = oneShot('ab');
    put(body);
    expect(sent[0]!.opts.body).toBe(body);
  });
});
