/**
 * withBalancer on axios, against nock: what reaches each instance, what the balancer is told,
 * and what the caller gets, for forwarding and retries. Cancellation, timeouts, errors and leaks
 * are in `with-balancer.lifecycle.test.ts`. Nothing sleeps.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { figures, sums } from './balancer.test-helpers.js';
import { A, B, serve, setup, useNock, type Reply } from './with-balancer.test-helpers.js';

useNock();

describe('forwarding', () => {
  it.each([
    // [request, path axios itself sends (checked against plain axios)]
    [{ baseURL: 'http://orders/api', url: '/items/7?x=1', params: { y: 'b c' } }, '/api/items/7?x=1&y=b+c'],
    [{ url: 'http://orders/p', params: { q: [1, 2], o: { k: 1 } } }, '/p?q%5B%5D=1&q%5B%5D=2&o%5Bk%5D=1'],
    [{ baseURL: 'http://billing/base', url: 'http://orders/abs', params: { y: 2 } }, '/abs?y=2'],
    [{ baseURL: 'http://orders/base', url: 'http://other/abs', allowAbsoluteUrls: false }, '/base/http://other/abs'],
    [{ baseURL: 'http://orders', url: '' }, '/'],
  ] as [AxiosRequestConfig, string][])('%j goes to the instance as %s, params once', async (request, path) => {
    const { client } = setup({ instances: [A] });
    const hits = serve([A], () => [200]);
    const response = await client.request(request);
    expect(hits.map((h) => h.path)).toEqual([path]);
    // What the caller sees is its own logical request, not the instance's.
    expect(response.config.url).toBe(request.url);
    expect(response.config.baseURL).toBe(request.baseURL);
    expect(response.config.params).toEqual(request.params);
  });

  it('sends method, headers and body unchanged, with the instance as Host', async () => {
    const { balancer, client } = setup({ instances: [A] });
    const hits = serve([A], () => [201, { ok: true }]);
    const response = await client.put('http://orders/items/7', { name: 'x' }, { headers: { authorization: 'Bearer t', 'x-trace': 'abc' } });
    expect(response.status).toBe(201);
    expect(response.data).toEqual({ ok: true });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ method: 'PUT', path: '/items/7', body: '{"name":"x"}' });
    expect(hits[0]!.headers).toMatchObject({ authorization: 'Bearer t', 'x-trace': 'abc', 'content-type': 'application/json', host: '10.0.0.1:8080' });
    expect(figures(balancer, 'orders')[A]).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });
  });

  it("keeps the service name as Host when the service says hostHeader: 'service'", async () => {
    const { client } = setup({ instances: [A], hostHeader: 'service' });
    const hits = serve([A], () => [200]);
    await client.get('http://orders/x');
    expect(hits[0]!.headers.host).toBe('orders');
  });

  it("balances a request that picks its own adapter (adapter: 'fetch')", async () => {
    const { balancer, client } = setup();
    const hits = serve([A, B], (_hit, i) => (i === 0 ? [503] : [200, 'via fetch']));
    const response = await client.get('http://orders/x', { adapter: 'fetch', params: { q: 1 } });
    expect(response.data).toBe('via fetch');
    expect(response.request).toBeInstanceOf(Request); // axios's fetch adapter sent it
    expect(hits.map((h) => h.path)).toEqual(['/x?q=1', '/x?q=1']);
    expect(sums(balancer, 'orders')).toEqual({ requests: 2, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('lets hosts that are not services through untouched', async () => {
    const { balancer, client } = setup();
    const direct = nock('http://example.test').get('/direct?q=1').reply(200, 'direct');
    const response = await client.get('http://example.test/direct', { params: { q: 1 } });
    expect(response.data).toBe('direct');
    expect(direct.isDone()).toBe(true);
    expect(sums(balancer, 'orders')).toEqual({ requests: 0, failures: 0, cancelled: 0, inFlight: 0 });
  });
});

describe('retries', () => {
  it('retries a GET answered 503 on the other instance', async () => {
    const { balancer, client } = setup();
    const hits = serve([A, B], (_hit, i) => (i === 0 ? [503] : [200, 'second']));
    const response = await client.get('http://orders/x');
    expect(response.status).toBe(200);
    expect(response.data).toBe('second');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.origin).not.toBe(hits[0]!.origin);
    const f = figures(balancer, 'orders');
    expect(f[hits[0]!.origin]).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
    expect(f[hits[1]!.origin]).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });
  });

  it('does not retry a POST answered 503, and rejects as axios would', async () => {
    const { balancer, client } = setup();
    const hits = serve([A, B], () => [503, 'busy']);
    const error: unknown = await client.post('http://orders/orders', { n: 1 }).catch((e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    if (!axios.isAxiosError(error)) return;
    expect(error.code).toBe('ERR_BAD_RESPONSE');
    expect(error.response?.status).toBe(503);
    expect(error.response?.data).toBe('busy');
    expect(error.config?.url).toBe('http://orders/orders');
    expect(hits).toHaveLength(1);
    expect(sums(balancer, 'orders')).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('retries a POST whose connection was refused, with the same body', async () => {
    const { balancer, client } = setup();
    const hits = serve([A, B], (_hit, i) => (i === 0 ? { refuse: true } : [201]));
    const response = await client.post('http://orders/orders', { n: 1 });
    expect(response.status).toBe(201);
    expect(hits.map((h) => h.body)).toEqual(['{"n":1}', '{"n":1}']);
    expect(hits[1]!.origin).not.toBe(hits[0]!.origin);
    expect(sums(balancer, 'orders')).toEqual({ requests: 2, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('runs user interceptors once per logical request, not once per attempt', async () => {
    const { client } = setup();
    const seen = { request: 0, response: 0 };
    client.interceptors.request.use((config) => {
      seen.request++;
      config.headers.set('x-seen', String(seen.request));
      return config;
    });
    client.interceptors.response.use((response) => {
      seen.response++;
      return response;
    });
    const hits = serve([A, B], (_hit, i) => (i === 0 ? [503] : [200]));
    await client.get('http://orders/x');
    expect(hits).toHaveLength(2);
    expect(seen).toEqual({ request: 1, response: 1 });
    expect(hits.map((h) => h.headers['x-seen'])).toEqual(['1', '1']);
  });

  it('reports every attempt exactly once', async () => {
    const { balancer, client } = setup({ retry: { maxRetries: 1, retryNonIdempotent: true } });
    const script: Reply[] = [[200], [503], [200], { refuse: true }, [503], [503], [404], [500], { refuse: true }, [201], [200]];
    const hits = serve([A, B], (_hit, i) => script[i % script.length]!);
    for (let i = 0; i < 8; i++) await client.post('http://orders/x', { i }).catch(() => undefined);
    const total = sums(balancer, 'orders');
    expect(hits.length).toBeGreaterThan(8); // some were retried
    expect(total.requests + total.cancelled).toBe(hits.length);
    expect(total.inFlight).toBe(0);
  });
});
