/**
 * got through the balancer against nock-backed instances: forwarding, retries the balancer
 * decides, and one outcome per attempt. The caller giving up, no instance and streams are in
 * `with-balancer.lifecycle.test.ts`; real servers in `with-balancer.real.test.ts`.
 */
import { Readable } from 'node:stream';
import type { AfterResponseHook } from 'got';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { got, gotMajor, gotVersion } from './got-under-test.test-helpers.js';
import { withBalancer } from './index.js';
import { A, B, balanced, counts, failed, idle, ok, refusedOrigin, useNock } from './with-balancer.test-helpers.js';

useNock();

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
    const { balancer } = balanced();
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
