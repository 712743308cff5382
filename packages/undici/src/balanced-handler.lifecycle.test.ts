/**
 * The balancer interceptor over a fake dispatch, as a request ends in other ways than an answer:
 * caller aborts, per-attempt timeouts, body errors, 1xx and upgrades, pause and resume, a
 * throwing handler, an invalid request, no instance, a throwing dispatch.
 */
import { PassThrough } from 'node:stream';
import { staticDiscovery } from '@datapunk/balancer';
import { describe, expect, it } from 'vitest';
import { setup } from './balanced-handler.test-helpers.js';
import { connectionRefused, connectionReset, RecordingHandler } from './fake-dispatch.test-helpers.js';
import { balancerInterceptor } from './interceptor.js';

describe('balancerInterceptor as a request ends (fake dispatch)', () => {
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
