/**
 * withBalancer against real loopback servers (the testkit fleet): real sockets, real refusals,
 * resets and hangs. Kept few and quick; the nock suite covers the rest.
 */
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { realRuntime } from '@datapunk/balancer/testing';
import { seededRandom, startFleet, type Fleet } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { got } from './got-under-test.test-helpers.js';
import { withBalancer } from './index.js';

interface Echo {
  readonly server: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let fleet: Fleet;
let balancer: Balancer | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, namePrefix: 'orders' });
});
afterAll(() => fleet.close({ graceMs: 0 }));
afterEach(async () => {
  await balancer?.close();
  balancer = undefined;
  for (const server of fleet.servers) {
    if (!server.listening) await server.restart();
    server.resetBehavior();
  }
  fleet.resetStats();
});

/**
 * Round robin from orders-0 (randomness pinned to 0 unless given: zero backoff too), outlier
 * detection off.
 */
function balanced(service: ServiceOptions = {}, random: () => number = () => 0) {
  balancer = createBalancer({
    runtime: { ...realRuntime, random },
    services: { orders: { instances: [...fleet.urls], strategy: 'round-robin', outlierDetection: false, ...service } },
  });
  return { balancer, client: withBalancer(got, balancer) };
}

function inFlight(b: Balancer): number[] {
  return (b.snapshot().services.orders?.instances ?? []).map((i) => i.inFlight);
}

describe('retries on real sockets', () => {
  it('a 503 is retried on another instance and answered 200', async () => {
    const { balancer, client } = balanced();
    fleet.get(0).setBehavior({ errorRate: 1 });

    const response = await client.get('http://orders/api/orders/42');

    expect(response.statusCode).toBe(200);
    expect(response.headers['x-testkit-server']).toBe('orders-1');
    expect(fleet.totals()).toEqual({ 'orders-0': 1, 'orders-1': 1, 'orders-2': 0 });
    expect(inFlight(balancer)).toEqual([0, 0, 0]);
  });

  it('a refused connection is retried, POST included', async () => {
    const { client } = balanced();
    await fleet.get(0).crash();

    const echo = await client.post('http://orders/api/orders', { json: { item: 'book' } }).json<Echo>();

    expect(echo).toMatchObject({ server: 'orders-1', method: 'POST', body: '{"item":"book"}' });
  });

  it('a reset connection is retried for an idempotent method', async () => {
    const { client } = balanced();
    fleet.get(0).setBehavior({ resetRate: 1 });
    const echo = await client.get('http://orders/api/orders').json<Echo>();
    expect(echo.server).toBe('orders-1');
    expect(fleet.get(0).stats.resets).toBe(1);
  });

  it('a hung instance costs one per-attempt timeout, then another instance answers', async () => {
    const { balancer, client } = balanced({ retry: { perAttemptTimeoutMs: 200 } });
    fleet.get(0).setBehavior({ hang: true });

    // The hung instance never answers: only the attempt timeout ends that attempt.
    const echo = await client.get('http://orders/api/orders').json<Echo>();

    expect(echo.server).toBe('orders-1');
    expect(balancer.snapshot().services.orders?.instances[0]?.totals).toMatchObject({ requests: 1, failures: 1 });
    expect(inFlight(balancer)).toEqual([0, 0, 0]);
  });

  it('the attempt deadline ends at the response headers: a body slower than it is read in full, not blamed', async () => {
    const { balancer, client } = balanced({ retry: { perAttemptTimeoutMs: 100 } });
    fleet.get(0).setBehavior({ slowBodyMs: 300 });

    const echo = await client.get('http://orders/api/orders').json<Echo>();

    expect(echo.server).toBe('orders-0');
    expect(balancer.snapshot().services.orders?.instances[0]?.totals).toMatchObject({ requests: 1, failures: 0 });
  });

  it('a per-attempt timeout that is not retried rejects with its code', async () => {
    const { client } = balanced({ retry: { perAttemptTimeoutMs: 100, maxRetries: 0 } });
    fleet.get(0).setBehavior({ hang: true });
    await expect(client.get('http://orders/api/orders')).rejects.toMatchObject({
      name: 'RequestError',
      code: 'ERR_BALANCER_ATTEMPT_TIMEOUT',
    });
  });

  it('the authorization header and the JSON body survive a retry to another instance', async () => {
    const { client } = balanced();
    fleet.get(0).setBehavior({ errorRate: 1 });

    const echo = await client
      .put('http://orders/api/orders/42', {
        headers: { authorization: 'Bearer s3cret', cookie: 'session=1' },
        json: { item: 'book', qty: 2 },
      })
      .json<Echo>();

    expect(echo.server).toBe('orders-1');
    expect(echo.headers).toMatchObject({ authorization: 'Bearer s3cret', cookie: 'session=1' });
    expect(echo.headers['content-type']).toBe('application/json');
    expect(JSON.parse(echo.body)).toEqual({ item: 'book', qty: 2 });
    const first = fleet.get(0).requests[0];
    expect(first?.headers.authorization).toBe('Bearer s3cret');
    expect(first?.body).toBe(echo.body);
  });
});

describe('under load with aborts', () => {
  it('200 requests, a third of them aborted at random moments, leave nothing in flight', async () => {
    const random = seededRandom(7);
    const { balancer, client } = balanced({ strategy: 'least-request', retry: { maxRetries: 2 } }, seededRandom(11));
    fleet.setBehavior({ latencyMs: { kind: 'uniform', minMs: 0, maxMs: 8 }, errorRate: 0.1 });

    const outcomes: Record<string, number> = {};
    const one = async (): Promise<void> => {
      const controller = new AbortController();
      const roll = random();
      const promise = client.get('http://orders/api/orders', { signal: controller.signal, throwHttpErrors: false });
      if (roll < 0.1) controller.abort();
      else if (roll < 0.2) promise.on('request', () => controller.abort());
      else if (roll < 0.33) setTimeout(() => controller.abort(), Math.floor(random() * 10));
      const outcome = await promise.then(
        (response) => String(response.statusCode),
        (error: Error) => error.name,
      );
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    };
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, one));

    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(200);
    expect(outcomes.AbortError).toBeGreaterThan(30);
    expect(outcomes['200']).toBeGreaterThan(100);
    expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['200', 'AbortError']));
    const instances = balancer.snapshot().services.orders?.instances ?? [];
    expect(instances.map((i) => i.inFlight)).toEqual([0, 0, 0]);
    const attempts = instances.reduce((sum, i) => sum + i.totals.requests + i.totals.cancelled, 0);
    expect(attempts).toBeGreaterThanOrEqual(200);
    expect(instances.every((i) => i.totals.requests > 10)).toBe(true);
    // Every request the servers saw was an attempt the balancer accounted for.
    const received = Object.values(fleet.totals()).reduce((a, b) => a + b, 0);
    expect(received).toBeLessThanOrEqual(attempts);
  });
});
