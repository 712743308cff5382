/**
 * withBalancer on axios, against nock: what reaches each instance, what the balancer is told,
 * and what the caller gets. Time-dependent cases run on the fake runtime; nothing sleeps.
 */
import { AttemptTimeoutError, createBalancer, NoAvailableInstanceError, staticDiscovery, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { createFakeRuntime, type FakeRuntime } from '@datapunk/balancer/testing';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { figures, sums } from './balancer.test-helpers.js';
import { withBalancer } from './index.js';

const A = 'http://10.0.0.1:8080';
const B = 'http://10.0.0.2:8080';

interface Hit {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** What a fake instance does with a request: answer, fail the connection, or never answer. */
type Reply = readonly [status: number, body?: unknown, headers?: Record<string, string>] | { readonly refuse: true } | 'hang';

/** Serves every request to `origins` with `handle`, recording each one. */
function serve(origins: readonly string[], handle: (hit: Hit, index: number) => Reply): Hit[] {
  const hits: Hit[] = [];
  for (const origin of origins) {
    const scope = nock(origin).persist();
    for (const method of ['GET', 'POST', 'PUT']) {
      scope.intercept(() => true, method).reply(function (path, body, callback) {
        const hit: Hit = {
          origin,
          method,
          path,
          headers: this.req.headers,
          body: typeof body === 'string' ? body : JSON.stringify(body),
        };
        hits.push(hit);
        const reply = handle(hit, hits.length - 1);
        if (reply === 'hang') return;
        if ('refuse' in reply) callback(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), [0, '']);
        else callback(null, [reply[0], reply[1] ?? { from: origin }, reply[2] ?? {}]);
      });
    }
  }
  return hits;
}

const balancers: Balancer[] = [];

function setup(
  service: Partial<ServiceOptions> = {},
  options: { runtime?: FakeRuntime; defaults?: AxiosRequestConfig } = {},
): { balancer: Balancer; client: AxiosInstance } {
  const balancer = createBalancer({
    services: {
      orders: {
        instances: [A, B],
        strategy: 'round-robin',
        outlierDetection: false,
        ...service,
        retry: { backoffBaseMs: 0, backoffMaxMs: 0, budget: false, ...(service.retry || {}) },
      },
      empty: { discovery: staticDiscovery([]) },
    },
    runtime: options.runtime,
  });
  balancers.push(balancer);
  return { balancer, client: withBalancer(axios.create(options.defaults), balancer) };
}

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  await Promise.all(balancers.splice(0).map((b) => b.close()));
});
afterAll(() => nock.enableNetConnect());

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

describe('cancellation and timeouts', () => {
  it('a caller abort before the response frees the instance without blaming it, and is not retried', async () => {
    const { balancer, client } = setup();
    const controller = new AbortController();
    const hits = serve([A, B], () => {
      controller.abort();
      return 'hang';
    });
    const error: unknown = await client.get('http://orders/x', { signal: controller.signal }).catch((e: unknown) => e);
    expect(axios.isCancel(error)).toBe(true);
    expect(hits).toHaveLength(1);
    expect(sums(balancer, 'orders')).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it('a caller abort during backoff stops the retry and its timer', async () => {
    const runtime = createFakeRuntime();
    const { balancer, client } = setup({}, { runtime });
    const hits = serve([A, B], () => [503, 'busy', { 'retry-after': '1' }]);
    const controller = new AbortController();
    const pending = client.get('http://orders/x', { signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(sums(balancer, 'orders')).toMatchObject({ requests: 1, inFlight: 0 })); // the 503 arrived
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(1); // the 1 s backoff (the attempt deadline ended with the headers)
    controller.abort();
    const error = await pending;
    expect(axios.isCancel(error)).toBe(true);
    expect(hits).toHaveLength(1);
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
    expect(sums(balancer, 'orders')).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it("the caller's timeout is a deadline for the whole request and is not the instance's fault", async () => {
    const runtime = createFakeRuntime();
    const { balancer, client } = setup({}, { runtime });
    const hits = serve([A, B], () => 'hang');
    const pending = client.get('http://orders/x', { timeout: 1000 }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(hits).toHaveLength(1));
    runtime.advance(1000);
    const error: unknown = await pending;
    expect(axios.isAxiosError(error) && [error.code, error.message, error.config?.url]).toEqual([
      'ECONNABORTED',
      'timeout of 1000ms exceeded',
      'http://orders/x',
    ]);
    expect(sums(balancer, 'orders')).toEqual({ requests: 0, failures: 0, cancelled: 1, inFlight: 0 });
  });

  it("the caller's timeout also bounds the backoff (ETIMEDOUT with clarifyTimeoutError)", async () => {
    const runtime = createFakeRuntime();
    const { balancer, client } = setup({}, { runtime });
    const hits = serve([A, B], () => [503, 'busy', { 'retry-after': '1' }]);
    const pending = client
      .get('http://orders/x', { timeout: 500, transitional: { clarifyTimeoutError: true } })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(sums(balancer, 'orders')).toMatchObject({ requests: 1, inFlight: 0 })); // the 503 arrived
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(2); // the caller's deadline + backoff
    runtime.advance(500);
    const error: unknown = await pending;
    expect(axios.isAxiosError(error) && error.code).toBe('ETIMEDOUT');
    expect(hits).toHaveLength(1);
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
    expect(sums(balancer, 'orders')).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('a hung instance costs one per-attempt timeout, then the other instance answers', async () => {
    const runtime = createFakeRuntime();
    const { balancer, client } = setup({ retry: { perAttemptTimeoutMs: 200 } }, { runtime });
    const hits = serve([A, B], (_hit, i) => (i === 0 ? 'hang' : [200, 'late but fine']));
    const pending = client.get('http://orders/x');
    await vi.waitFor(() => expect(hits).toHaveLength(1));
    runtime.advance(200);
    const response = await pending;
    expect(response.data).toBe('late but fine');
    const f = figures(balancer, 'orders');
    expect(f[hits[0]!.origin]).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
    expect(f[hits[1]!.origin]).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });
  });

  it('a per-attempt timeout with no retry left rejects with ERR_BALANCER_ATTEMPT_TIMEOUT', async () => {
    const runtime = createFakeRuntime();
    const { client } = setup({ retry: { perAttemptTimeoutMs: 200, maxRetries: 0 } }, { runtime });
    const hits = serve([A, B], () => 'hang');
    const pending = client.get('http://orders/x').catch((e: unknown) => e);
    await vi.waitFor(() => expect(hits).toHaveLength(1));
    runtime.advance(200);
    const error: unknown = await pending;
    expect(axios.isAxiosError(error) && error.code).toBe('ERR_BALANCER_ATTEMPT_TIMEOUT');
    expect((error as Error).cause).toBeInstanceOf(AttemptTimeoutError);
  });
});

describe('errors and leaks', () => {
  it('no available instance rejects with an AxiosError coded ERR_NO_AVAILABLE_INSTANCE', async () => {
    const { client } = setup();
    const error: unknown = await client.get('http://empty/x').catch((e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    if (!axios.isAxiosError(error)) return;
    expect(error.code).toBe('ERR_NO_AVAILABLE_INSTANCE');
    expect(error.config?.url).toBe('http://empty/x');
    expect(error.cause).toBeInstanceOf(NoAvailableInstanceError);
    expect(error.cause).toMatchObject({ service: 'empty', reason: 'none-discovered' });
  });

  it.each(['after', 'before'] as const)('a request interceptor registered %s withBalancer that throws leaks nothing', async (when) => {
    const balancer = createBalancer({ services: { orders: { instances: [A, B] } } });
    balancers.push(balancer);
    const boom = (): never => {
      throw new Error('boom');
    };
    const client = axios.create();
    if (when === 'before') client.interceptors.request.use(boom);
    withBalancer(client, balancer);
    if (when === 'after') client.interceptors.request.use(boom);
    const hits = serve([A, B], () => [200]);
    await expect(client.get('http://orders/x')).rejects.toThrow('boom');
    expect(hits).toHaveLength(0);
    expect(sums(balancer, 'orders')).toEqual({ requests: 0, failures: 0, cancelled: 0, inFlight: 0 });
  });

  it('a request cancelled before dispatch never reaches the balancer', async () => {
    const { balancer, client } = setup();
    const hits = serve([A, B], () => [200]);
    const error: unknown = await client.get('http://orders/x', { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(axios.isCancel(error)).toBe(true);
    expect(hits).toHaveLength(0);
    expect(sums(balancer, 'orders')).toEqual({ requests: 0, failures: 0, cancelled: 0, inFlight: 0 });
  });
});
