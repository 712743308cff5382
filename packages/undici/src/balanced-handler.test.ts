/**
 * The balancer interceptor's translation over a fake dispatch: what reaches each instance, what
 * the caller sees, and retries. Aborts, timeouts, 1xx, upgrades, pause and failures are in
 * `balanced-handler.lifecycle.test.ts`.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { origins, setup } from './balanced-handler.test-helpers.js';
import { connectionRefused, connectionReset, type Sent } from './fake-dispatch.test-helpers.js';
import { balancerInterceptor } from './interceptor.js';

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
});
