/**
 * got through the balancer against nock-backed instances: the caller giving up (abort, its own
 * deadline, got's timeout), no available instance, and streams.
 */
import { createBalancer, NoAvailableInstanceError } from '@datapunk/balancer';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { got } from './got-under-test.test-helpers.js';
import { withBalancer } from './index.js';
import { A, B, balanced, cancelled, closeAfter, counts, failed, idle, ok, useNock } from './with-balancer.test-helpers.js';

useNock();
describe('the caller gives up', () => {
  it('an abort before the response releases the instance without blame', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/slow').delay(5_000).reply(200);
    const controller = new AbortController();

    const promise = client.get('http://orders/slow', { signal: controller.signal });
    promise.on('request', () => setImmediate(() => controller.abort()));

    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(counts(balancer)).toEqual({ [A]: cancelled, [B]: idle });
  });

  it('an abort during the backoff stops the retry; only the 503 counts', async () => {
    // Retry-After: 300 makes the backoff five minutes (allowed by retryAfterMaxMs): the request
    // can only settle within the test's time if the abort ends the backoff.
    const { balancer, client } = balanced({ retry: { retryAfterMaxMs: 600_000 } });
    nock(A).get('/x').reply(503, 'busy', { 'retry-after': '300' });
    const other = nock(B).get('/x').reply(200);
    const controller = new AbortController();
    // Runs after the adapter's hook: from here to got's backoff timer there are only microtasks.
    const abortAfterResponse = client.extend({
      hooks: {
        afterResponse: [
          (response) => {
            setImmediate(() => controller.abort());
            return response;
          },
        ],
      },
    });

    await expect(abortAfterResponse.get('http://orders/x', { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });

    expect(other.isDone()).toBe(false);
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: idle });
  });

  it('got’s own timeout is per attempt, a client timeout: the slow instance is blamed and the GET retried elsewhere', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/slow').delay(5_000).reply(200);
    nock(B).get('/slow').reply(200, 'from B');
    const response = await client.get('http://orders/slow', { timeout: { request: 30 } });
    expect(response.body).toBe('from B');
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: ok() });
  });

  it('a deadline of the caller’s own (its signal) is the caller giving up: no blame, no retry', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/slow').delay(5_000).reply(200);
    // The signal's reason is a DOMException named TimeoutError: the name alone cannot tell whose timer it was.
    await expect(client.get('http://orders/slow', { signal: AbortSignal.timeout(30) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(counts(balancer)).toEqual({ [A]: cancelled, [B]: idle });
  });

  it('a request that fails inside got before it is sent is nobody’s fault', async () => {
    const { balancer, client } = balanced();
    const unsent = nock(A).get('/x').reply(200);
    const noToken = client.extend({
      hooks: {
        beforeRequest: [
          () => {
            throw new Error('no token');
          },
        ],
      },
    });
    await expect(noToken.get('http://orders/x')).rejects.toMatchObject({ name: 'RequestError', message: 'no token' });
    expect(unsent.isDone()).toBe(false);
    expect(counts(balancer)).toEqual({ [A]: cancelled, [B]: idle });
  });

  it('a per-attempt timeout blames the instance and retries elsewhere', async () => {
    const { balancer, client } = balanced({ retry: { perAttemptTimeoutMs: 30 } });
    nock(A).get('/slow').delay(5_000).reply(200);
    nock(B).get('/slow').reply(200, 'fast');
    expect(await client.get('http://orders/slow').text()).toBe('fast');
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: ok() });
  });
});

describe('no available instance', () => {
  it('rejects with a got RequestError coded ERR_NO_AVAILABLE_INSTANCE, the balancer’s error as cause', async () => {
    const { client } = balanced({ instances: [] });
    const error = await client.get('http://orders/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestError', code: 'ERR_NO_AVAILABLE_INSTANCE' });
    expect((error as Error).cause).toBeInstanceOf(NoAvailableInstanceError);
  });

  it('is thrown where the balancer’s hook sits: after the base instance’s beforeRequest hooks, before later ones', async () => {
    const balancer = closeAfter(createBalancer({ services: { orders: { instances: [] } } }));
    const ran: string[] = [];
    const base = got.extend({ hooks: { beforeRequest: [() => void ran.push('base')] } });
    const client = withBalancer(base, balancer).extend({ hooks: { beforeRequest: [() => void ran.push('later')] } });
    const error = await client.get('http://orders/x', { hooks: { beforeRequest: [() => void ran.push('per request')] } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestError', code: 'ERR_NO_AVAILABLE_INSTANCE' });
    expect(ran).toEqual(['base']);
    // The hook belongs to that request alone: the instances' hooks are unchanged.
    nock('http://example.test').get('/y').reply(200, 'passed through');
    ran.length = 0;
    expect(await client.get('http://example.test/y').text()).toBe('passed through');
    expect(ran).toEqual(['base', 'later']);
  });

  it('fails a stream the same way', async () => {
    const { client } = balanced({ instances: [] });
    const stream = client.stream('http://orders/x');
    const error = await new Promise((resolve) => stream.once('error', resolve));
    expect(error).toMatchObject({ code: 'ERR_NO_AVAILABLE_INSTANCE' });
  });
});

describe('streams', () => {
  it('balance one attempt, which ends with the body', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/file').reply(200, 'x'.repeat(10_000));
    const chunks: Buffer[] = [];
    for await (const chunk of client.stream('http://orders/file')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).length).toBe(10_000);
    expect(counts(balancer)).toEqual({ [A]: ok(), [B]: idle });
  });

  it('are not retried, and a stream destroyed before its end is cancelled', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/file').reply(503);
    nock(B).get('/file').reply(200, 'x'.repeat(100_000));

    const failedStream = client.stream('http://orders/file');
    await expect(new Promise((_resolve, reject) => failedStream.once('error', reject))).rejects.toMatchObject({
      name: 'HTTPError',
    });
    const dropped = client.stream('http://orders/file');
    await new Promise<void>((resolve) => dropped.once('data', () => resolve()));
    dropped.destroy();
    await new Promise((resolve) => dropped.once('close', resolve));

    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: cancelled });
  });
});
