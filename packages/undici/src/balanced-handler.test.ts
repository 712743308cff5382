import { PassThrough, Readable } from 'node:stream';
import { createBalancer, staticDiscovery, type ServiceOptions } from '@datapunk/balancer';
import { createFakeRuntime } from '@datapunk/balancer/testing';
import { describe, expect, it } from 'vitest';
import {
  connectionRefused,
  connectionReset,
  fakeDispatch,
  RecordingHandler,
  type Sent,
} from './fake-dispatch.test-helpers.js';
import { balancerInterceptor } from './interceptor.js';

const origins = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

function setup(service: Partial<ServiceOptions> = {}) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({
    services: {
      orders: {
        instances: origins,
        strategy: 'round-robin',
        outlierDetection: false,
        retry: { maxRetries: 2, perAttemptTimeoutMs: 1_000 },
        ...service,
      },
    },
    runtime,
  });
  const { dispatch, sent } = fakeDispatch();
  const balanced = balancerInterceptor(balancer)(dispatch);
  const caller = new RecordingHandler();
  const send = (opts: Partial<Parameters<typeof balanced>[0]> = {}) =>
    balanced({ origin: 'http://orders', path: '/api/v1/orders/42?x=1', method: 'GET', ...opts }, caller);
  const instances = () => balancer.snapshot().services.orders!.instances;
  const totals = () => {
    const sum = { requests: 0, failures: 0, cancelled: 0, inFlight: 0 };
    for (const i of instances()) {
      sum.requests += i.totals.requests;
      sum.failures += i.totals.failures;
      sum.cancelled += i.totals.cancelled;
      sum.inFlight += i.inFlight;
    }
    return sum;
  };
  const last = (): Sent => sent.at(-1)!;
  return { runtime, balancer, sent, caller, send, totals, last };
}

describe('balancerInterceptor translation (fake dispatch)', () => {
  it('passes requests to other hosts through untouched', () => {
    const { sent, caller, balancer } = setup();
    const opts = { origin: 'http://example.com', path: '/x', method: 'GET' } as const;
    balancerInterceptor(balancer)((o, h) => (sent.push({ opts: o, handler: h } as Sent), true))(opts, caller);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.opts).toBe(opts);
    expect(sent[0]!.handler).toBe(caller);
  });

  it('rewrites only the origin: method, path, query, headers and body go to the instance as given', () => {
    const { send, sent, caller, totals, last } = setup();
    const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };
    send({ method: 'PUT', headers, body: '{"a":1}', query: { y: 2 } });
    expect(sent).toHaveLength(1);
    expect(origins).toContain(last().origin);
    expect(last().opts).toMatchObject({ path: '/api/v1/orders/42?x=1', method: 'PUT', body: '{"a":1}', query: { y: 2 } });
    expect(last().opts.headers).toEqual(headers);
    expect(totals().inFlight).toBe(1);
    last().ok('done');
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(caller.body).toBe('done');
    expect(totals()).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });
  });

  it('reads the hash-key header from objects, flat arrays and iterables, and resends iterables intact', () => {
    const seen: (string | undefined)[] = [];
    const { send, sent } = setup({ hashKey: (r) => (seen.push(r.header('X-User')), undefined) });
    send({ headers: { 'X-User': 'a' } });
    send({ headers: ['x-user', 'b', 'accept', '*/*'] });
    send({ headers: new Map([['X-USER', 'c']]) });
    send({ headers: (function* () { yield ['x-user', 'd'] as [string, string]; })() });
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(sent[3]!.opts.headers).toEqual(['x-user', 'd']);
  });

  it('hostHeader "service" sends the logical Host and TLS servername to every instance', async () => {
    const { send, sent, runtime } = setup({ hostHeader: 'service' });
    send({ origin: 'http://orders:8080', headers: ['Host', 'ignored', 'accept', '*/*'] });
    sent[0]!.start().respond(503);
    await runtime.advanceAsync(1_000);
    expect(sent).toHaveLength(2);
    for (const s of sent) {
      expect(s.opts.headers).toEqual(['accept', '*/*', 'host', 'orders:8080']);
      expect(s.opts.servername).toBe('orders');
    }
  });

  it('retries a 503 on another instance: the caller sees only the accepted response, once', async () => {
    const { send, sent, caller, totals, runtime } = setup();
    send();
    sent[0]!.start().respond(503, { 'retry-after': '0' });
    expect(sent[0]!.aborted).toBe(true); // the 503's body is discarded
    await runtime.advanceAsync(1_000);
    expect(sent).toHaveLength(2);
    sent[1]!.start().respond(503);
    await runtime.advanceAsync(1_000);
    sent[2]!.ok();
    expect(new Set(sent.map((s) => s.origin))).toEqual(new Set(origins));
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(totals()).toEqual({ requests: 3, failures: 2, cancelled: 0, inFlight: 0 });
  });

  it('after the last retry, the last response goes to the caller as it is', async () => {
    const { send, sent, caller, totals, runtime } = setup({ retry: { maxRetries: 1 } });
    send();
    sent[0]!.start().respond(503);
    await runtime.advanceAsync(1_000);
    sent[1]!.start().respond(503).data('busy').end();
    expect(sent).toHaveLength(2);
    expect(caller.events).toEqual(['start', 'headers 503', 'data', 'end']);
    expect(totals()).toEqual({ requests: 2, failures: 2, cancelled: 0, inFlight: 0 });
  });

  it('retries a refused connection even for POST with a stream body (it never left)', async () => {
    const { send, sent, caller, totals, runtime } = setup();
    const body = Readable.from(['x']);
    send({ method: 'POST', body });
    sent[0]!.fail(connectionRefused());
    await runtime.advanceAsync(1_000);
    expect(await sent[1]!.readBody()).toBe('x'); // whole: the first attempt never read it
    sent[1]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(totals()).toEqual({ requests: 2, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('does not retry a stream body that was partly sent, nor a POST, after a reset', async () => {
    for (const opts of [{ method: 'PUT', body: Readable.from(['x', 'y']) }, { method: 'POST', body: 'x' }]) {
      const { send, sent, caller, totals, runtime } = setup();
      send(opts);
      await sent[0]!.start().readBody(1);
      sent[0]!.fail(connectionReset());
      await runtime.advanceAsync(5_000);
      expect(sent).toHaveLength(1);
      expect(caller.events).toEqual(['start', 'error UND_ERR_SOCKET']);
      expect(totals()).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
    }
  });

  it('a caller abort before the headers frees the instance without blame and aborts the attempt', async () => {
    const { send, sent, caller, totals, runtime } = setup();
    send();
    sent[0]!.start();
    const reason = new Error('caller gave up');
    caller.controller!.abort(reason);
    expect(sent[0]!.reason).toBe(reason);
    expect(caller.error).toBe(reason);
    await runtime.advanceAsync(5_000);
    expect(sent).toHaveLength(1);
    expect(caller.terminals).toBe(1);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('a caller abort while still connecting takes effect at once; the attempt is aborted when it starts', () => {
    const { send, sent, caller, totals } = setup();
    send();
    caller.controller!.abort(new Error('bye'));
    expect(caller.events).toEqual(['start', 'error bye']);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
    sent[0]!.start();
    expect(sent[0]!.aborted).toBe(true);
    expect(caller.terminals).toBe(1);
  });

  it('a caller abort during backoff stops the retry', async () => {
    const { send, sent, caller, totals, runtime } = setup({ retry: { maxRetries: 2, backoffBaseMs: 100, backoffMaxMs: 100 } });
    runtime.setRandom(() => 0.99);
    send();
    sent[0]!.start().respond(503);
    await runtime.advanceAsync(10);
    // The backoff; the attempt deadline's timer stays set, but no longer keeps the process alive.
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(1);
    caller.controller!.abort(new Error('bye'));
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
    await runtime.advanceAsync(5_000);
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'error bye']);
    expect(totals()).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('a caller abort during the body is a cancellation, and nothing reaches the caller after it', () => {
    const { send, sent, caller, totals } = setup();
    send();
    const s = sent[0]!.start().respond(200).data('a');
    caller.controller!.abort(new Error('enough'));
    expect(s.aborted).toBe(true);
    s.data('b').end();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'error enough']);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('an abort without a reason gets an AbortError, as in undici', () => {
    const { send, caller } = setup();
    send();
    (caller.controller as { abort(reason?: Error): void }).abort();
    expect(caller.error).toMatchObject({ name: 'AbortError', code: 'UND_ERR_ABORTED' });
  });

  it('a body error after the headers fails the instance and is not retried', async () => {
    const { send, sent, caller, totals, runtime } = setup();
    send();
    sent[0]!.start().respond(200).data('a').fail(connectionReset());
    await runtime.advanceAsync(5_000);
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'error UND_ERR_SOCKET']);
    expect(totals()).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('the per-attempt timeout aborts a hung attempt and retries elsewhere', async () => {
    const { send, sent, caller, totals, runtime } = setup();
    send();
    sent[0]!.start();
    await runtime.advanceAsync(999);
    expect(sent[0]!.aborted).toBe(false);
    await runtime.advanceAsync(1);
    expect(sent[0]!.reason).toMatchObject({ code: 'ERR_BALANCER_ATTEMPT_TIMEOUT' });
    await runtime.advanceAsync(1_000);
    sent[1]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(totals()).toEqual({ requests: 2, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('the per-attempt timeout also ends an attempt stuck connecting; it is aborted if it starts later', async () => {
    const { send, sent, caller, runtime } = setup();
    send();
    await runtime.advanceAsync(1_000);
    await runtime.advanceAsync(1_000);
    expect(sent).toHaveLength(2);
    sent[0]!.start().respond(200);
    expect(sent[0]!.aborted).toBe(true);
    sent[1]!.ok();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
  });

  it('the per-attempt timeout stops at the headers: the caller owns the body pace', async () => {
    const { send, sent, caller, runtime } = setup();
    send();
    const s = sent[0]!.start().respond(200);
    await runtime.advanceAsync(10_000);
    expect(s.aborted).toBe(false);
    s.data('late').end();
    expect(caller.events).toEqual(['start', 'headers 200', 'data', 'end']);
    expect(runtime.pendingTimers()).toBe(0);
  });

  it('forwards 1xx responses without treating them as final', async () => {
    const { send, sent, caller, runtime } = setup();
    send();
    sent[0]!.start().respond(103).respond(200);
    await runtime.advanceAsync(5_000);
    sent[0]!.end();
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'headers 103', 'headers 200', 'end']);
  });

  it('an upgrade hands the socket to the caller once and ends the attempt', () => {
    const { send, sent, caller, totals } = setup();
    send({ method: 'GET', upgrade: 'websocket' });
    const socket = new PassThrough();
    sent[0]!.start().upgrade(101, socket);
    expect(caller.events).toEqual(['start', 'upgrade 101']);
    expect(caller.terminals).toBe(0);
    expect(totals()).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });
    expect(socket.destroyed).toBe(false);
  });

  it('pause and resume reach the current attempt, and a pause carries over to a retry', async () => {
    const { send, sent, caller, runtime } = setup();
    send();
    caller.controller!.pause();
    sent[0]!.start();
    expect(sent[0]!.paused).toBe(true);
    sent[0]!.respond(503);
    await runtime.advanceAsync(1_000);
    sent[1]!.start();
    expect(sent[1]!.paused).toBe(true);
    caller.controller!.resume();
    expect(sent[1]!.paused).toBe(false);
  });

  it("a caller's handler that throws cancels the request without blaming the instance", () => {
    const { send, sent, caller, totals } = setup();
    caller.onResponseStart = () => {
      throw new Error('handler bug');
    };
    send();
    const s = sent[0]!.start().respond(200);
    expect(s.aborted).toBe(true);
    expect(caller.events).toEqual(['start', 'error handler bug']);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('an invalid request (undici refuses its options) is not retried and blames no instance', () => {
    const { send, sent, caller, totals } = setup();
    send();
    sent[0]!.fail(Object.assign(new Error('invalid header key'), { code: 'UND_ERR_INVALID_ARG' }));
    expect(sent).toHaveLength(1);
    expect(caller.events).toEqual(['start', 'error UND_ERR_INVALID_ARG']);
    expect(totals()).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('no available instance: the caller gets ERR_NO_AVAILABLE_INSTANCE and nothing is dispatched', () => {
    const { send, sent, caller } = setup({ instances: undefined, discovery: staticDiscovery([]) });
    send();
    expect(sent).toHaveLength(0);
    expect(caller.events).toEqual(['start', 'error ERR_NO_AVAILABLE_INSTANCE']);
  });

  it('a dispatch that throws counts as that attempt failing', async () => {
    const { balancer, runtime, totals } = setup();
    const caller = new RecordingHandler();
    let n = 0;
    const dispatch = balancerInterceptor(balancer)((_opts, handler) => {
      if (n++ === 0) throw connectionRefused();
      handler.onRequestStart?.({ abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null }, null);
      handler.onResponseStart?.({ abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null }, 204, {}, '');
      handler.onResponseEnd?.({ abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null }, {});
      return true;
    });
    dispatch({ origin: 'http://orders', path: '/', method: 'GET' }, caller);
    await runtime.advanceAsync(1_000);
    expect(caller.events).toEqual(['start', 'headers 204', 'end']);
    expect(totals()).toEqual({ requests: 2, failures: 1, cancelled: 0, inFlight: 0 });
  });
});
