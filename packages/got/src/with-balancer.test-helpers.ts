/**
 * What the got adapter's nock-backed tests share: two instances (A, B), a balancer over them,
 * per-instance counts, a refused origin, and nock set up to refuse the network.
 */
import { createServer } from 'node:net';
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { realRuntime } from '@datapunk/balancer/testing';
import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { got } from './got-under-test.test-helpers.js';
import { withBalancer } from './index.js';

export const A = 'http://10.0.0.1:8081';
export const B = 'http://10.0.0.2:8082';

let current: Balancer | undefined;

/**
 * A balancer over A and B (closed after the test). Randomness pinned to 0: round robin starts at
 * A (a retry goes to B) and the full-jitter backoff is 0 ms.
 */
export function balanced(service: ServiceOptions = {}) {
  const balancer = createBalancer({
    runtime: { ...realRuntime, random: () => 0 },
    services: { orders: { instances: [A, B], strategy: 'round-robin', outlierDetection: false, ...service } },
  });
  current = balancer;
  return { balancer, client: withBalancer(got, balancer) };
}

/** `balancer`, closed after the test as `balanced()`'s is. */
export function closeAfter(balancer: Balancer): Balancer {
  current = balancer;
  return balancer;
}

/** Finished attempts and in-flight count per instance origin. */
export function counts(b: Balancer) {
  const instances = b.snapshot().services.orders?.instances ?? [];
  return Object.fromEntries(
    instances.map((i) => [
      i.url,
      { requests: i.totals.requests, failures: i.totals.failures, cancelled: i.totals.cancelled, inFlight: i.inFlight },
    ]),
  );
}

export const idle = { requests: 0, failures: 0, cancelled: 0, inFlight: 0 };
export const ok = (n = 1) => ({ requests: n, failures: 0, cancelled: 0, inFlight: 0 });
export const failed = (n = 1) => ({ requests: n, failures: n, cancelled: 0, inFlight: 0 });
export const cancelled = { requests: 0, failures: 0, cancelled: 1, inFlight: 0 };

/**
 * An origin whose port refuses connections (a closed listener's). nock 14's `replyWithError`
 * leaves got 14 hanging (no adapter involved), so transport errors use a real refused socket.
 */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** nock refuses the network but loopback for the file's tests; each test's balancer is closed after it. */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => nock.enableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    await current?.close();
    current = undefined;
  });
}
