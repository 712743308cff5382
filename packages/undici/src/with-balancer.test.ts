import { createBalancer, NoAvailableInstanceError, staticDiscovery } from '@datapunk/balancer';
import { afterEach, describe, expect, it } from 'vitest';
import { fetch, MockAgent, request, undici, undiciMajor, type Dispatcher } from './undici.test-helpers.js';
import { withBalancer } from './with-balancer.js';

const A = 'http://127.0.0.1:9001';
const B = 'http://127.0.0.1:9002';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

function setup(instances: string[] | undefined) {
  const mock = new MockAgent();
  mock.disableNetConnect();
  const balancer = createBalancer({
    services: {
      orders: {
        ...(instances ? { instances } : { discovery: staticDiscovery([]) }),
        strategy: 'round-robin',
        outlierDetection: false,
        retry: { maxRetries: 1, backoffBaseMs: 0 },
      },
    },
  });
  const dispatcher: Dispatcher = withBalancer(mock, balancer);
  cleanup.push(() => balancer.close(), () => mock.close());
  const inFlight = () => balancer.snapshot().services.orders!.instances.map((i) => i.inFlight);
  return { mock, balancer, dispatcher, inFlight };
}

describe('withBalancer with undici.request and undici.fetch (MockAgent)', () => {
  it(`runs against undici ${undiciMajor}`, () => {
    // Dispatcher1Wrapper exists from undici 8 on; undici 8 needs Node 22 or newer.
    expect('Dispatcher1Wrapper' in undici).toBe(undiciMajor === 8);
    if (undiciMajor === 8) expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });

  it('sends method, path, query, headers and body to the instance, and returns its response', async () => {
    const { mock, dispatcher, inFlight } = setup([A]);
    mock
      .get(A)
      .intercept({ method: 'PUT', path: '/api/items/7?y=2', headers: { authorization: 'Bearer t' }, body: '{"a":1}' })
      .reply(201, { saved: true }, { headers: { 'x-from': 'a' } });
    const res = await request('http://orders/api/items/7', {
      dispatcher,
      method: 'PUT',
      query: { y: 2 },
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-from']).toBe('a');
    expect(await res.body.json()).toEqual({ saved: true });
    expect(inFlight()).toEqual([0]);
  });

  it('passes a request to a host that is not a service through untouched', async () => {
    const { mock, dispatcher, balancer } = setup([A]);
    mock.get('http://example.test').intercept({ path: '/direct' }).reply(200, 'direct');
    const res = await request('http://example.test/direct', { dispatcher });
    expect(await res.body.text()).toBe('direct');
    expect(balancer.snapshot().services.orders!.instances[0]!.totals.requests).toBe(0);
  });

  it('retries a 503 on the other instance through request() and fetch()', async () => {
    const { mock, dispatcher, inFlight } = setup([A, B]);
    mock.get(A).intercept({ path: '/x' }).reply(503, 'busy').persist();
    mock.get(B).intercept({ path: '/x' }).reply(200, 'fine').persist();
    for (let i = 0; i < 2; i++) {
      const res = await request('http://orders/x', { dispatcher });
      expect([res.statusCode, await res.body.text()]).toEqual([200, 'fine']);
      const f = await fetch('http://orders/x', { dispatcher });
      expect([f.status, await f.text()]).toEqual([200, 'fine']);
    }
    expect(inFlight()).toEqual([0, 0]);
  });

  it('no available instance: request() rejects with ERR_NO_AVAILABLE_INSTANCE, fetch() with it as the cause', async () => {
    const { dispatcher } = setup(undefined);
    const rejected = await request('http://orders/x', { dispatcher }).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'ERR_NO_AVAILABLE_INSTANCE', service: 'orders', reason: 'none-discovered' });
    expect(rejected).toBeInstanceOf(NoAvailableInstanceError);
    const failed = await fetch('http://orders/x', { dispatcher }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TypeError);
    expect((failed as Error).cause).toMatchObject({ code: 'ERR_NO_AVAILABLE_INSTANCE' });
  });

  it('a signal aborted before the call rejects with its reason and leaves nothing in flight', async () => {
    const { mock, dispatcher, inFlight } = setup([A]);
    mock.get(A).intercept({ path: '/x' }).reply(200, 'late').delay(50);
    const controller = new AbortController();
    const pending = request('http://orders/x', { dispatcher, signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    expect(inFlight()).toEqual([0]);
  });
});
