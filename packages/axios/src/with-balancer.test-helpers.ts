/**
 * What the axios adapter's nock-backed tests share: two instances (A, B) that nock serves with a
 * handler, a balancer over them with an axios client, and nock set up to refuse the network.
 */
import { createBalancer, staticDiscovery, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import type { FakeRuntime } from '@datapunk/balancer/testing';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { withBalancer } from './index.js';

export const A = 'http://10.0.0.1:8080';
export const B = 'http://10.0.0.2:8080';

export interface Hit {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** What a fake instance does with a request: answer, fail the connection, or never answer. */
export type Reply = readonly [status: number, body?: unknown, headers?: Record<string, string>] | { readonly refuse: true } | 'hang';

/** Serves every request to `origins` with `handle`, recording each one. */
export function serve(origins: readonly string[], handle: (hit: Hit, index: number) => Reply): Hit[] {
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

/** `balancer`, closed after the test as `setup()`'s are. */
export function closeAfter(balancer: Balancer): Balancer {
  balancers.push(balancer);
  return balancer;
}

export function setup(
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

/** nock refuses the network for the file's tests; each test's balancers are closed after it. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    await Promise.all(balancers.splice(0).map((b) => b.close()));
  });
  afterAll(() => nock.enableNetConnect());
}
