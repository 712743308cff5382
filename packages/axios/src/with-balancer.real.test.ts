/**
 * withBalancer on axios against real loopback servers (testkit): real sockets, real refusals,
 * real hangs. Kept few and fast; nothing sleeps.
 */
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { seededRandom, startFleet, type Fleet } from '@datapunk/testkit';
import axios, { type AxiosInstance } from 'axios';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { figures, sums } from './balancer.test-helpers.js';
import { withBalancer } from './index.js';

interface Echo {
  readonly server: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let fleet: Fleet | undefined;
let balancer: Balancer | undefined;

async function setup(
  count: number,
  service: Partial<ServiceOptions> = {},
  instances?: (fleet: Fleet) => string[],
): Promise<{ fleet: Fleet; balancer: Balancer; client: AxiosInstance }> {
  fleet = await startFleet({ count, random: seededRandom(7) });
  balancer = createBalancer({
    services: {
      orders: {
        instances: instances?.(fleet) ?? [...fleet.urls],
        strategy: 'round-robin',
        outlierDetection: false,
        ...service,
        retry: { backoffBaseMs: 0, backoffMaxMs: 0, budget: false, ...(service.retry || {}) },
      },
    },
  });
  return { fleet, balancer, client: withBalancer(axios.create({ baseURL: 'http://orders' }), balancer) };
}

afterEach(async () => {
  await balancer?.close();
  await fleet?.close({ graceMs: 0 });
  balancer = fleet = undefined;
});

describe('axios through the balancer, real sockets', () => {
  it('retries 503s on the healthy instance; every request ends 200', async () => {
    const { fleet, balancer, client } = await setup(2);
    fleet.get(0).setBehavior({ errorRate: 1 });
    const responses = await Promise.all([1, 2, 3, 4].map((i) => client.get<Echo>(`/items/${i}`)));
    expect(responses.map((r) => [r.status, r.data.server])).toEqual(Array(4).fill([200, 'server-1']));
    const rejected = fleet.get(0).stats.byStatus[503] ?? 0;
    expect(rejected).toBeGreaterThan(0);
    expect(fleet.get(1).stats.total).toBe(4);
    expect(figures(balancer, 'orders')[fleet.urls[0]!]).toMatchObject({ requests: rejected, failures: rejected, inFlight: 0 });
  });

  it('retries a refused connection on another instance', async () => {
    const { fleet, balancer, client } = await setup(2);
    await fleet.get(1).crash();
    const responses = await Promise.all([1, 2, 3, 4].map((i) => client.post<Echo>(`/orders`, { i })));
    expect(responses.map((r) => r.data.server)).toEqual(Array(4).fill('server-0'));
    expect(responses.map((r) => JSON.parse(r.data.body) as unknown)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }]);
    const refused = figures(balancer, 'orders')[fleet.urls[1]!]!;
    expect(refused.failures).toBeGreaterThan(0);
    expect(sums(balancer, 'orders')).toMatchObject({ requests: 4 + refused.failures, inFlight: 0 });
  });

  it('a hung instance costs one per-attempt timeout (200 ms), then another instance answers', async () => {
    const { fleet, balancer, client } = await setup(2, { retry: { perAttemptTimeoutMs: 200 } });
    fleet.get(1).setBehavior({ hang: true });
    // Two requests at once: round robin sends one of them to the hung instance, which never
    // answers: only the attempt timeout can end that attempt (and its failure is counted below).
    const responses = await Promise.all([client.get<Echo>('/a'), client.get<Echo>('/b')]);
    expect(responses.map((r) => r.data.server)).toEqual(['server-0', 'server-0']);
    expect(fleet.get(1).stats.hangs).toBe(1);
    expect(figures(balancer, 'orders')[fleet.urls[1]!]).toEqual({ requests: 1, failures: 1, cancelled: 0, inFlight: 0 });
  });

  it('sends the authorization header and JSON body intact on the retry', async () => {
    const { fleet, client } = await setup(2);
    fleet.get(0).setBehavior({ errorRate: 1 });
    const body = { id: 42, tags: ['a', 'b'], note: 'é ✓' };
    const responses = await Promise.all(
      [1, 2].map(() => client.put<Echo>('/orders/42', body, { headers: { authorization: 'Bearer s3cret' } })),
    );
    for (const { data } of responses) {
      expect(data).toMatchObject({ server: 'server-1', method: 'PUT', path: '/orders/42' });
      expect(data.headers.authorization).toBe('Bearer s3cret');
      expect(JSON.parse(data.body)).toEqual(body);
    }
    const failed = fleet.get(0).requests;
    expect(failed.length).toBeGreaterThan(0); // at least one was a retry
    for (const r of failed) expect([r.headers.authorization, JSON.parse(r.body)]).toEqual(['Bearer s3cret', body]);
  });

  it('does not resend a stream body that was read before the connection was refused', async () => {
    const { fleet, balancer, client } = await setup(2, {}, (f) => [f.urls[1]!, f.urls[0]!]);
    await fleet.get(1).crash();
    const outcomes = await Promise.all(
      [1, 2].map((i) =>
        client
          .post<Echo>('/upload', Readable.from([`part-${i}-a `, `part-${i}-b`]), { headers: { 'content-type': 'text/plain' } })
          .then((r) => r.data.body, (e: unknown) => (axios.isAxiosError(e) ? e.code : e)),
      ),
    );
    // One went to the refused instance and fails (its stream is spent); none arrives empty.
    expect(outcomes.sort()).toEqual(['ECONNREFUSED', expect.stringMatching(/^part-\d-a part-\d-b$/)]);
    expect(fleet.get(0).requests.map((r) => r.body)).not.toContain('');
    expect(sums(balancer, 'orders').inFlight).toBe(0);
  });

  it('keeps a streamed response in flight until its body ends; only a server failure mid-body is blamed', async () => {
    const { fleet, balancer, client } = await setup(1);
    fleet.get(0).setBehavior({ bodyBytes: 64 * 1024, slowBodyMs: 30 });
    const read = await client.get<Readable>('/download', { responseType: 'stream' });
    expect(sums(balancer, 'orders').inFlight).toBe(1);
    expect((await text(read.data)).length).toBe(64 * 1024);
    expect(sums(balancer, 'orders')).toEqual({ requests: 1, failures: 0, cancelled: 0, inFlight: 0 });

    const controller = new AbortController();
    const aborted = await client.get<Readable>('/download', { responseType: 'stream', signal: controller.signal });
    aborted.data.once('data', () => controller.abort());
    await expect(text(aborted.data)).rejects.toThrow('canceled');
    expect(sums(balancer, 'orders')).toEqual({ requests: 1, failures: 0, cancelled: 1, inFlight: 0 });

    const abandoned = await client.get<Readable>('/download', { responseType: 'stream' });
    abandoned.data.destroy();
    await expect.poll(() => sums(balancer, 'orders')).toEqual({ requests: 1, failures: 0, cancelled: 2, inFlight: 0 });

    const cut = await client.get<Readable>('/download', { responseType: 'stream' });
    const reading = text(cut.data).then(
      (body) => body.length,
      (e: unknown) => (e as { code?: unknown }).code,
    );
    await fleet.get(0).crash(); // the body was due 30 ms after the headers
    expect(await reading).toBe('ECONNRESET');
    expect(sums(balancer, 'orders')).toEqual({ requests: 2, failures: 1, cancelled: 2, inFlight: 0 });
  });

  it('200 requests with random aborts and faults leave nothing in flight', async () => {
    const { fleet, balancer, client } = await setup(3, { retry: { maxRetries: 2 } });
    fleet.setBehavior({ latencyMs: { kind: 'uniform', minMs: 0, maxMs: 10 }, errorRate: 0.2, resetRate: 0.05 });
    const random = seededRandom(11);
    const settled = { ok: 0, cancelled: 0, failed: 0 };
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const controller = new AbortController();
          if (random() < 0.3) setTimeout(() => controller.abort(), random() * 10);
          return client.get(`/r/${batch}/${i}`, { signal: controller.signal }).then(
            () => settled.ok++,
            (e: unknown) => (axios.isCancel(e) ? settled.cancelled++ : settled.failed++),
          );
        }),
      );
    }
    expect(settled.ok + settled.cancelled + settled.failed).toBe(200);
    expect(settled.ok).toBeGreaterThan(100);
    expect(settled.cancelled).toBeGreaterThan(0);
    const total = sums(balancer, 'orders');
    expect(total.inFlight).toBe(0);
    expect(total.cancelled).toBeGreaterThan(0);
    // Every attempt the servers saw was reported (aborted ones may never have reached a server).
    const received = Object.values(fleet.totals()).reduce((n, t) => n + t, 0);
    expect(total.requests).toBeLessThanOrEqual(received);
    expect(total.requests + total.cancelled).toBeGreaterThanOrEqual(received);
  });
});
