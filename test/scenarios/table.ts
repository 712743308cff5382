/**
 * The scenario table: the same behaviour, asserted through every client adapter against a real
 * fleet of loopback servers (`@datapunk/testkit`). Each `<client>.test.ts` calls
 * `defineScenarios(driver)`.
 *
 * The balancer runs on a fake runtime: sockets are real, but ejection expiry and per-attempt
 * timeouts fire when the test moves the clock, so nothing waits on wall-clock time. Backoff is 0
 * so retries start at once.
 */
import { staticDiscovery, type ServiceOptions } from '@datapunk/balancer';
import { seededRandom } from '@datapunk/balancer/testing';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { balancerErrorCode, type ClientDriver } from './driver.js';
import { defineHedgingRows } from './hedging.js';
import { defineLoadReportRows } from './load-reports.js';
import { defineOverrideScenarios } from './overrides.js';
import { get, handles, inFlight, json, NO_BACKOFF, until, useRigs } from './rig.js';

export function defineScenarios(driver: ClientDriver): void {
  describe(`scenarios through ${driver.name}`, () => {
    const { rig, closeAll } = useRigs(driver);

    it('spreads evenly over healthy instances', async () => {
      const { fleet, client } = await rig(4);
      for (let i = 0; i < 200; i++) expect((await get(client)).status).toBe(200);
      expect(Object.values(fleet.totals())).toEqual([50, 50, 50, 50]);
    });

    it('ejects an instance returning 503 within the configured failure count; callers see 200', async () => {
      const { fleet, client, balancer } = await rig(4, { outlierDetection: { consecutiveFailures: { threshold: 3 }, maxEjectionPercent: 50 } }, (i) =>
        i === 1 ? { errorRate: 1 } : {},
      );
      for (let i = 0; i < 100; i++) expect((await get(client)).status).toBe(200);
      expect(fleet.servers[1]!.stats.total).toBe(3);
      expect(balancer.snapshot().services.orders!.instances[1]!.state).toBe('ejected');
    });

    it('a killed instance stops getting traffic and comes back once restarted', async () => {
      const { fleet, client, balancer, runtime } = await rig(4, {
        outlierDetection: { consecutiveFailures: { threshold: 2 }, baseEjectionMs: 10_000, maxEjectionPercent: 50 },
      });
      const b = fleet.servers[2]!;
      await b.crash();
      for (let i = 0; i < 40; i++) expect((await get(client)).status).toBe(200);
      expect(balancer.snapshot().services.orders!.instances[2]!.state).toBe('ejected');
      await b.restart();
      b.resetStats();
      for (let i = 0; i < 20; i++) await get(client);
      expect(b.stats.total).toBe(0); // still ejected: no traffic
      runtime.advance(10_000);
      for (let i = 0; i < 40; i++) expect((await get(client)).status).toBe(200);
      expect(b.stats.total).toBe(10); // back in the rotation: a quarter of the traffic
    });

    it('a 503 is retried on another instance and the caller sees 200', async () => {
      const { fleet, client } = await rig(3, {}, (i) => (i === 0 ? { errorRate: 1 } : {}));
      for (let i = 0; i < 30; i++) expect((await get(client)).status).toBe(200);
      expect(fleet.servers[0]!.stats.total).toBeGreaterThan(0);
    });

    it('a 503 whose Retry-After asks for longer than retry.retryAfterMaxMs is not retried: the caller sees the 503', async () => {
      // The core reads Retry-After from the response headers in whatever form the client has them.
      const { fleet, client } = await rig(2, { outlierDetection: false }, (i) => (i === 0 ? { errorRate: 1, retryAfter: '120' } : {}));
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await get(client)).status);
      expect(statuses.filter((s) => s === 503)).toHaveLength(5);
      expect(fleet.servers[1]!.stats.total).toBe(5); // no 503 was retried there
    });

    it('a refused connection is retried on another instance and the caller sees 200', async () => {
      const { fleet, client } = await rig(3, { outlierDetection: false });
      await fleet.servers[1]!.crash();
      for (let i = 0; i < 30; i++) expect((await get(client)).status).toBe(200);
    });

    it('a hung instance costs one per-attempt timeout, then the request is retried elsewhere', async () => {
      const { fleet, client, runtime } = await rig(2, { retry: { maxRetries: 1, perAttemptTimeoutMs: 1_000, ...NO_BACKOFF }, outlierDetection: false }, (i) =>
        i === 0 ? { hang: true } : {},
      );
      const hung = fleet.servers[0]!;
      let timeouts = 0;
      for (let i = 0; i < 6; i++) {
        const before = hung.stats.hangs;
        let settled = false;
        const pending = get(client).finally(() => (settled = true));
        await until(() => settled || hung.stats.hangs > before, 'the request to reach a server');
        if (!settled) {
          runtime.advance(1_000);
          timeouts++;
        }
        expect((await pending).status).toBe(200);
      }
      expect(timeouts).toBeGreaterThan(0);
      expect(hung.stats.hangs).toBe(timeouts); // each hang cost exactly one attempt
      expect(fleet.servers[1]!.stats.total).toBe(6);
    });

    it('POST is not retried on 503 by default, but is retried on a refused connection', async () => {
      const { fleet, client } = await rig(2, { outlierDetection: false }, (i) => (i === 0 ? { errorRate: 1 } : {}));
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await client.request({ method: 'POST', url: 'http://orders/orders', body: '{"n":1}', headers: { 'content-type': 'application/json' } })).status);
      expect(statuses.filter((s) => s === 503)).toHaveLength(5);
      expect(fleet.servers[0]!.stats.total).toBe(5); // every 503 went straight to the caller
      expect(fleet.servers[1]!.stats.total).toBe(5);
      await fleet.servers[0]!.crash();
      for (let i = 0; i < 10; i++) {
        expect((await client.request({ method: 'POST', url: 'http://orders/orders', body: '{"n":2}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
      }
      expect(fleet.servers[1]!.stats.total).toBe(15);
    });

    it('with every instance failing, retries stay within the budget (no retry storm)', async () => {
      const { fleet, client } = await rig(3, { retry: { maxRetries: 2, ...NO_BACKOFF, budget: { percent: 20, minRetriesPerSecond: 1, windowMs: 10_000 } }, outlierDetection: false }, () => ({ errorRate: 1 }));
      for (let i = 0; i < 200; i++) expect((await get(client)).status).toBe(503);
      const attempts = Object.values(fleet.totals()).reduce((a, b) => a + b, 0);
      // 200 requests; retries at most 20% of them plus 1/s over the 10 s window.
      expect(attempts - 200).toBe(50);
    });

    it('1,000 requests with 30% aborted at random moments leave no request in flight, no socket and no timer', async () => {
      const baseline = handles();
      const { client, balancer, fleet } = await rig(4, { outlierDetection: false }, (i) => ({ latencyMs: { kind: 'uniform', minMs: 0, maxMs: 3 }, slowBodyMs: i === 3 ? 5 : 0 }));
      const random = seededRandom(99);
      let aborted = 0;
      let completed = 0;
      const one = async () => {
        const roll = random();
        const controller = new AbortController();
        const req = { method: 'GET', url: 'http://orders/echo', signal: controller.signal };
        try {
          if (roll < 0.15) {
            const p = client.request(req);
            setImmediate(() => controller.abort());
            await p;
          } else if (roll < 0.3) {
            await client.request({ ...req, abortDuringBody: controller });
          } else await client.request(req);
          completed++;
        } catch {
          aborted++;
        }
      };
      for (let batch = 0; batch < 50; batch++) await Promise.all(Array.from({ length: 20 }, one));
      expect(aborted + completed).toBe(1_000);
      expect(aborted).toBeGreaterThan(50);
      await until(() => inFlight(balancer) === 0, 'in-flight counts to return to zero');
      await Promise.all(fleet.servers.map((s) => s.whenIdle()));
      const snap = balancer.snapshot().services.orders!;
      expect(snap.instances.every((i) => i.state === 'healthy')).toBe(true);
      expect(snap.instances.reduce((n, i) => n + i.totals.failures, 0)).toBe(0); // aborts are never the instance's fault
      await closeAll();
      await until(() => {
        const now = handles();
        return now.sockets <= baseline.sockets && now.timers <= baseline.timers;
      }, `sockets and timers to return to the baseline ${JSON.stringify(baseline)}, now ${JSON.stringify(handles())}`);
    });

    it('passes requests to other hosts through untouched', async () => {
      const { fleet, client, balancer } = await rig(2);
      const direct = fleet.servers[1]!;
      const r = await client.request({ method: 'GET', url: `${direct.url}/plain?a=1`, headers: { 'x-trace': 'abc' } });
      expect(r.status).toBe(200);
      const seen = direct.requests.at(-1)!;
      expect(seen.url).toBe('/plain?a=1');
      expect(seen.headers['x-trace']).toBe('abc');
      expect(seen.headers.host).toBe(new URL(direct.url).host);
      expect(balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.totals.requests, 0)).toBe(0);
    });

    it('keeps method, path, query, authorization and JSON body intact, including after a retry elsewhere', async () => {
      const { fleet, client } = await rig(2, { outlierDetection: false }, (i) => (i === 0 ? { errorRate: 1 } : {}));
      const body = JSON.stringify({ order: 42, items: ['a', 'b'], note: 'ünïcode' });
      const headers = { authorization: 'Bearer s3cr3t', 'content-type': 'application/json' };
      for (let i = 0; i < 2; i++) {
        const r = await client.request({ method: 'PUT', url: 'http://orders/api/v1/orders/42?expand=items&x=%20y', headers, body });
        expect(r.status).toBe(200);
        const echo = json(r);
        expect(echo).toMatchObject({ method: 'PUT', path: '/api/v1/orders/42', query: { expand: 'items', x: ' y' }, body });
        expect(echo.headers.authorization).toBe('Bearer s3cr3t');
        expect(echo.headers.host).toBe(new URL(fleet.servers[1]!.url).host);
      }
      const first = fleet.servers[0]!.requests[0]!;
      expect(first.body).toBe(body);
      expect(first.headers.authorization).toBe('Bearer s3cr3t');
    });

    it('a stream body larger than retry.bufferBodyBytes is not replayed after a failure that may have reached the instance', async () => {
      // 15 bytes over a copy limit of 8: adapters that copy one-shot bodies for retries (undici) cannot replay it either.
      const retry = { maxRetries: 1, ...NO_BACKOFF, bufferBodyBytes: 8 };
      const { fleet, client } = await rig(2, { outlierDetection: false, retry }, (i) => (i === 0 ? { errorRate: 1 } : {}));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await client.request({ method: 'PUT', url: 'http://orders/upload', body: Readable.from([Buffer.from('chunk-1,'), Buffer.from('chunk-2')]) })).status);
      }
      expect(statuses.filter((s) => s === 503)).toHaveLength(2);
      expect(fleet.servers[1]!.requests.map((r) => r.body)).toEqual(['chunk-1,chunk-2', 'chunk-1,chunk-2']);
    });

    it('ERR_NO_AVAILABLE_INSTANCE reaches the caller as the client\'s own kind of error', async () => {
      const { client } = await rig(1, { instances: undefined, discovery: staticDiscovery([]) } as Partial<ServiceOptions>);
      const error = await get(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(balancerErrorCode(error)).toBe('ERR_NO_AVAILABLE_INSTANCE');
      expect(String((error as Error).message) + String((error as { cause?: Error }).cause?.message ?? '')).toMatch(/orders/);
    });

    it('over limits.maxRequests a request fails at once with ERR_CIRCUIT_OPEN as the client\'s own kind of error, and passes again once requests end', async () => {
      const { fleet, client, balancer } = await rig(1, { limits: { maxRequests: 2 }, outlierDetection: false }, () => ({ hang: true }));
      const server = fleet.servers[0]!;
      const callers = [new AbortController(), new AbortController()];
      const held = callers.map((c) => client.request({ method: 'GET', url: 'http://orders/echo', signal: c.signal }).catch((e: unknown) => e));
      await until(() => server.stats.hangs === 2, 'two requests to hang');
      const error = await get(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(balancerErrorCode(error)).toBe('ERR_CIRCUIT_OPEN');
      expect(String((error as Error).message) + String((error as { cause?: Error }).cause?.message ?? '')).toMatch(/"orders": max-requests \(2 requests in flight\)/);
      expect(server.stats.total).toBe(2); // nothing was sent
      for (const c of callers) c.abort();
      await Promise.all(held);
      await until(() => inFlight(balancer) === 0, 'the held requests to end');
      server.setBehavior({ hang: false });
      expect((await get(client)).status).toBe(200);
    });

    it('an instance at limits.maxRequestsPerInstance is skipped: the others take the requests', async () => {
      const { fleet, client } = await rig(2, { limits: { maxRequestsPerInstance: 1 }, outlierDetection: false }, (i) => (i === 0 ? { hang: true } : {}));
      const hung = fleet.servers[0]!;
      const caller = new AbortController();
      let held: Promise<unknown> | undefined;
      for (let i = 0; i < 3 && held === undefined; i++) {
        let settled = false;
        const p = client.request({ method: 'GET', url: 'http://orders/echo', signal: caller.signal }).finally(() => (settled = true));
        await until(() => settled || hung.stats.hangs > 0, 'the request to reach a server');
        if (!settled) held = p.catch((e: unknown) => e);
      }
      expect(held).toBeDefined();
      for (let i = 0; i < 10; i++) expect((await get(client)).status).toBe(200);
      expect(hung.stats.total).toBe(1);
      caller.abort();
      await held;
    });

    defineHedgingRows(driver, rig);
    defineLoadReportRows(rig);
  });
  defineOverrideScenarios(driver);
}
