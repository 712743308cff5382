import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import {
  createBalancer,
  NoAvailableInstanceError,
  type Balancer,
  type ServiceOptions,
} from '@datapunk/balancer';
import { realRuntime } from '@datapunk/balancer/testing';
import type { AfterResponseHook } from 'got';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { got, gotMajor, gotVersion } from './got-under-test.test-helpers.js';
import { withBalancer } from './index.js';

const A = 'http://10.0.0.1:8081';
const B = 'http://10.0.0.2:8082';

let balancer: Balancer | undefined;

/**
 * A balancer over A and B. Randomness pinned to 0: round robin starts at A (a retry goes to B)
 * and the full-jitter backoff is 0 ms.
 */
function balanced(service: ServiceOptions = {}) {
  balancer = createBalancer({
    runtime: { ...realRuntime, random: () => 0 },
    services: { orders: { instances: [A, B], strategy: 'round-robin', outlierDetection: false, ...service } },
  });
  return { balancer, client: withBalancer(got, balancer) };
}

/** Finished attempts and in-flight count per instance origin. */
function counts(b: Balancer) {
  const instances = b.snapshot().services.orders?.instances ?? [];
  return Object.fromEntries(
    instances.map((i) => [
      i.url,
      { requests: i.totals.requests, failures: i.totals.failures, cancelled: i.totals.cancelled, inFlight: i.inFlight },
    ]),
  );
}

const idle = { requests: 0, failures: 0, cancelled: 0, inFlight: 0 };
const ok = (n = 1) => ({ requests: n, failures: 0, cancelled: 0, inFlight: 0 });
const failed = (n = 1) => ({ requests: n, failures: n, cancelled: 0, inFlight: 0 });
const cancelled = { requests: 0, failures: 0, cancelled: 1, inFlight: 0 };

/**
 * An origin whose port refuses connections (a closed listener's). nock 14's `replyWithError`
 * leaves got 14 hanging (no adapter involved), so transport errors use a real refused socket.
 */
async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  await balancer?.close();
  balancer = undefined;
});

it(`runs against the got major asked for (GOT_MAJOR=${process.env.GOT_MAJOR ?? 'unset'})`, () => {
  expect(gotVersion.startsWith(`${gotMajor}.`)).toBe(true);
  if (gotMajor === 16) expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
});

describe('forwarding', () => {
  it('sends method, path, query, headers and JSON body to the picked instance', async () => {
    const { client } = balanced();
    const scope = nock(A, { reqheaders: { authorization: 'Bearer t0k', 'x-trace': 'abc' } })
      .post('/api/v1/orders', { item: 'book', qty: 2 })
      .query({ expand: 'lines', page: '2' })
      .reply(201, (_uri, body) => ({ received: body }));

    const response = await client.post('http://orders/api/v1/orders', {
      searchParams: { expand: 'lines', page: 2 },
      headers: { authorization: 'Bearer t0k', 'x-trace': 'abc' },
      json: { item: 'book', qty: 2 },
      responseType: 'json',
    });

    expect(scope.isDone()).toBe(true);
    expect(response.statusCode).toBe(201);
    expect(response.body).toEqual({ received: { item: 'book', qty: 2 } });
    expect(response.url).toBe(`${A}/api/v1/orders?expand=lines&page=2`);
  });

  it('resolves paths against a logical prefixUrl', async () => {
    const { client } = balanced();
    const scope = nock(A).get('/api/v1/orders/42').reply(200, 'found');
    const api = client.extend({ prefixUrl: 'http://orders/api/v1' });
    expect(await api.get('orders/42').text()).toBe('found');
    expect(scope.isDone()).toBe(true);
  });

  it('sends the service name as Host and TLS servername when the service asks for it, on retries too', async () => {
    const { client } = balanced({ hostHeader: 'service' });
    nock(A, { reqheaders: { host: 'orders' } }).get('/x').reply(503);
    const scope = nock(B, { reqheaders: { host: 'orders' } }).get('/x').reply(200, 'ok');
    const tls: unknown[] = [];
    const seen = client.extend({
      https: { certificateAuthority: 'ca-pem' },
      hooks: { beforeRequest: [(options) => void tls.push([options.https.serverName, options.https.certificateAuthority])] },
    });

    expect(await seen.get('http://orders/x').text()).toBe('ok');
    expect(scope.isDone()).toBe(true);
    // The servername is added; the caller's other TLS options stay.
    expect(tls).toEqual([
      ['orders', 'ca-pem'],
      ['orders', 'ca-pem'],
    ]);
  });

  it('pagination: the first page is balanced, the next follow the Link as given (here, to the instance)', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/items').reply(200, [1, 2], { link: '</items?page=2>; rel="next"' });
    nock(A).get('/items').query({ page: '2' }).reply(200, [3]);

    expect(await client.paginate.all<number>('http://orders/items')).toEqual([1, 2, 3]);
    expect(counts(balancer)).toEqual({ [A]: ok(), [B]: idle });
  });

  it('passes requests to other hosts through untouched, with got’s own retry settings', async () => {
    const { balancer, client } = balanced();
    nock('http://example.test').get('/a').reply(503).get('/a').reply(200, 'direct');
    nock('http://example.test').post('/b').reply(503);

    const retried = await client.get('http://example.test/a', { retry: { limit: 1, backoffLimit: 1 } }).text();
    // got does not retry POST by default: passthrough keeps that.
    const post = client.post('http://example.test/b', { retry: { limit: 1, backoffLimit: 1 } });

    expect(retried).toBe('direct');
    await expect(post).rejects.toMatchObject({ name: 'HTTPError', response: { statusCode: 503 } });
    expect(counts(balancer)).toEqual({ [A]: idle, [B]: idle });
  });
});

describe('retries decided by the balancer', () => {
  it('retries a 503 on another instance', async () => {
    const { balancer, client } = balanced();
    nock(A).get('/orders').reply(503, 'busy');
    nock(B).get('/orders').reply(200, { from: 'B' });

    const response = await client.get('http://orders/orders', { responseType: 'json' });

    expect(response.body).toEqual({ from: 'B' });
    expect(response.retryCount).toBe(1);
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: ok() });
  });

  it('does not retry a POST answered 503, and rejects with got’s HTTPError', async () => {
    const { balancer, client } = balanced();
    nock(A).post('/orders').reply(503, 'busy');
    const other = nock(B).post('/orders').reply(200);

    const error = await client.post('http://orders/orders', { json: { a: 1 } }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'HTTPError', response: { statusCode: 503, body: 'busy' } });
    expect(other.isDone()).toBe(false);
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: idle });
  });

  it('retries a POST whose connection was refused (it never left)', async () => {
    const refused = await refusedOrigin();
    const { balancer, client } = balanced({ instances: [refused, B] });
    nock(B).post('/orders', { a: 1 }).reply(201, 'created');

    expect(await client.post('http://orders/orders', { json: { a: 1 } }).text()).toBe('created');
    expect(counts(balancer)).toEqual({ [refused]: failed(), [B]: ok() });
  });

  it('honours the balancer’s maxRetries, not got’s limit, and resolves any status with throwHttpErrors off', async () => {
    const { balancer, client } = balanced({ retry: { maxRetries: 1, backoffBaseMs: 1 } });
    nock(A).get('/x').reply(503);
    nock(B).get('/x').reply(503, 'still busy');

    const response = await client.get('http://orders/x', { throwHttpErrors: false, retry: { limit: 5 } });

    expect(response.statusCode).toBe(503);
    expect(response.retryCount).toBe(1);
    expect(counts(balancer)).toEqual({ [A]: failed(), [B]: failed() });
  });

  it('does not retry when the balancer’s retries are off', async () => {
    const refused = await refusedOrigin();
    const { balancer, client } = balanced({ instances: [refused, B], retry: false });
    await expect(client.get('http://orders/x')).rejects.toMatchObject({ name: 'RequestError', code: 'ECONNREFUSED' });
    expect(counts(balancer)).toEqual({ [refused]: failed(), [B]: idle });
  });

  it.each([
    ['before the balancer (on the base instance)', 'base'],
    ['after the balancer (on an instance extended from it)', 'later'],
  ] as const)('retries a response an afterResponse hook asks to retry, the hook registered %s', async (_name, where) => {
    balancer = createBalancer({
      runtime: { ...realRuntime, random: () => 0 },
      services: { orders: { instances: [A, B], strategy: 'round-robin', outlierDetection: false } },
    });
    const retryStale: AfterResponseHook = (response, retryWithMergedOptions) => (response.body === 'stale' ? retryWithMergedOptions({}) : response);
    const hooks = { hooks: { afterResponse: [retryStale] } };
    const client = where === 'base' ? withBalancer(got.extend(hooks), balancer) : withBalancer(got, balancer).extend(hooks);
    nock(A).get('/x').reply(200, 'stale');
    nock(B).get('/x').reply(200, 'fresh');
    expect(await client.get('http://orders/x').text()).toBe('fresh');
    expect(counts(balancer)).toEqual({ [A]: ok(), [B]: ok() });
  });

  it('never retries a one-shot body stream: got cannot send it again', async () => {
    const refused = await refusedOrigin();
    const { balancer, client } = balanced({ instances: [refused, B] });
    const other = nock(B).put('/upload').reply(200);

    const body = Readable.from([Buffer.from('chunk')]);
    await expect(client.put('http://orders/upload', { body })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    expect(other.isDone()).toBe(false);
    expect(counts(balancer)).toEqual({ [refused]: failed(), [B]: idle });
  });
});

describe('one outcome per attempt', () => {
  it.each([
    ['200', () => nock(A).get('/x').reply(200), { [A]: ok(), [B]: idle }],
    ['404 (not the instance’s fault, not retried)', () => nock(A).get('/x').reply(404), { [A]: ok(), [B]: idle }],
    ['500 (a failure, not retried)', () => nock(A).get('/x').reply(500), { [A]: failed(), [B]: idle }],
    [
      '503 then 503',
      () => [nock(A).get('/x').reply(503), nock(B).get('/x').reply(503)],
      { [A]: failed(), [B]: failed() },
    ],
    [
      '503 then 200',
      () => [nock(A).get('/x').reply(503), nock(B).get('/x').reply(200)],
      { [A]: failed(), [B]: ok() },
    ],
  ])('%s', async (_name, arrange, expected) => {
    const { balancer, client } = balanced({ retry: { maxRetries: 3, backoffBaseMs: 1 } });
    arrange();
    await client.get('http://orders/x', { throwHttpErrors: false }).catch(() => undefined);
    expect(counts(balancer)).toEqual(expected);
  });
});

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
    balancer = createBalancer({ services: { orders: { instances: [] } } });
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
