/**
 * withBalancer on axios, against nock: a caller's abort and timeout, the per-attempt timeout,
 * no available instance, and nothing left in flight. Time-dependent cases run on the fake
 * runtime; nothing sleeps.
 */
import { AttemptTimeoutError, createBalancer, NoAvailableInstanceError } from '@datapunk/balancer';
import { createFakeRuntime } from '@datapunk/balancer/testing';
import axios from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { figures, sums } from './balancer.test-helpers.js';
import { withBalancer } from './index.js';
import { A, B, closeAfter, serve, setup, useNock } from './with-balancer.test-helpers.js';

useNock();

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
    const balancer = closeAfter(createBalancer({ services: { orders: { instances: [A, B] } } }));
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
