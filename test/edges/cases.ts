/**
 * The edge suite: requests that used to go to the wrong place, be sent twice, or blame the wrong
 * instance, run through every client against real loopback servers. Each case asserts the
 * server-side facts (how many times each instance processed the request, with which method,
 * path and port), what the caller got, and which instance was blamed.
 *
 * Redirects follow one rule for every client (README, "Redirects"): the client follows them as
 * it normally does; the instance that answered the redirect is credited with that response and
 * its attempt ends there; each hop is a request of its own, balanced when it names a service
 * (a relative `Location` stays on the logical origin), passed through untouched otherwise. So a
 * hop's failure is the hop's, never the instance's, and never re-sends the original request.
 */
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { createFakeRuntime, type FakeRuntime } from '@datapunk/balancer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { balancerErrorCode, type BalancedClient, type ClientDriver } from '../scenarios/driver.js';
import { byPath, closedPort, echo, redirect, resetMidBody, startRecordingServer, type RecordingServer } from './recording-server.js';

/** How a client treats redirects and response bodies, which decides what its caller sees. */
export interface EdgeDriver extends ClientDriver {
  /** The client follows redirects by default (axios, got, fetch); undici.request does not. */
  readonly followsRedirects: boolean;
  /** The client reads the whole body before the caller sees the response (axios, got's promise). */
  readonly buffersBody: boolean;
}

const NO_BACKOFF = { backoffBaseMs: 0, backoffMaxMs: 0 };

/** Waits (bounded, without sleeping) until `condition` holds, yielding to I/O between checks. */
async function until(condition: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Rig {
  servers: RecordingServer[];
  balancer: Balancer;
  client: BalancedClient;
}

const settle = async <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
};

export function defineEdgeCases(driver: EdgeDriver): void {
  describe(`edges through ${driver.name}`, () => {
    const rigs: Rig[] = [];
    const extra: RecordingServer[] = [];
    afterEach(async () => {
      for (const r of rigs.splice(0)) {
        await r.client.close();
        await r.balancer.close();
        await Promise.all(r.servers.map((s) => s.close()));
      }
      await Promise.all(extra.splice(0).map((s) => s.close()));
    });

    async function rig(count: number, service: Partial<ServiceOptions> = {}, name = 'orders', runtime?: FakeRuntime): Promise<Rig> {
      const servers = await Promise.all(Array.from({ length: count }, (_, i) => startRecordingServer(`${name}-${i}`)));
      const balancer = createBalancer({
        ...(runtime ? { runtime } : {}),
        services: {
          [name]: {
            instances: servers.map((s) => s.url),
            strategy: 'round-robin',
            retry: { maxRetries: 1, ...NO_BACKOFF },
            outlierDetection: false,
            ...service,
          } as ServiceOptions,
        },
      });
      const r = { servers, balancer, client: driver.create(balancer) };
      rigs.push(r);
      return r;
    }

    const processed = (r: Rig) => r.servers.flatMap((s) => s.processed);
    const instances = (r: Rig, name = 'orders') => r.balancer.snapshot().services[name]!.instances;
    const failures = (r: Rig) => instances(r).reduce((n, i) => n + i.totals.failures, 0);
    const attempts = (r: Rig) => instances(r).reduce((n, i) => n + i.totals.requests, 0);

    it('an instance on the default port gets the request on its port, not on the logical URL\'s port', async (context) => {
      if (process.getuid?.() !== 0 && process.env.CI !== 'true') {
        context.skip(); // binding port 80 needs root; CI always runs it
        return;
      }
      const server = await startRecordingServer('web-80', { port: 80 });
      extra.push(server);
      const balancer = createBalancer({ services: { web: { instances: ['http://127.0.0.1'], outlierDetection: false } } });
      const client = driver.create(balancer);
      rigs.push({ servers: [], balancer, client });
      const res = await client.request({ method: 'GET', url: 'http://web:8080/x?y=1' });
      expect(res.status).toBe(200);
      expect(server.processed.map((p) => [p.method, p.path, p.port])).toEqual([['GET', '/x?y=1', 80]]);
    });

    it('a POST answered with 303 to a host that refuses is processed once, and the instance that answered is not blamed', async () => {
      const r = await rig(2);
      const dead = await closedPort();
      for (const s of r.servers) s.handle(redirect(303, `http://127.0.0.1:${dead}/done`));
      const result = await settle(r.client.request({ method: 'POST', url: 'http://orders/create', body: '{"n":1}', headers: { 'content-type': 'application/json' } }));
      if (driver.followsRedirects) expect(result.ok).toBe(false);
      else expect(result.ok && result.value.status).toBe(303);
      expect(processed(r).map((p) => [p.method, p.path])).toEqual([['POST', '/create']]);
      expect(failures(r)).toBe(0);
      expect(attempts(r)).toBe(1);
    });

    it('a 303 to the logical service URL is followed through the balancer, with the hop balanced on its own', async () => {
      const r = await rig(2);
      r.servers.forEach((s, i) => s.handle(byPath({ '/create': redirect(303, 'http://orders/done') }, echo(`orders-${i}`))));
      const res = await r.client.request({ method: 'POST', url: 'http://orders/create', body: 'x', headers: { 'content-type': 'text/plain' } });
      if (!driver.followsRedirects) {
        expect(res.status).toBe(303);
        expect(processed(r).map((p) => [p.method, p.path])).toEqual([['POST', '/create']]);
        return;
      }
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ method: 'GET', path: '/done' });
      expect(processed(r).map((p) => [p.method, p.path]).sort()).toEqual([['GET', '/done'], ['POST', '/create']]);
      expect(attempts(r)).toBe(2); // both went through the balancer (a hop sent to DNS would have failed)
      expect(failures(r)).toBe(0);
    });

    it('a relative redirect stays on the logical origin: the hop is balanced and keeps Authorization', async () => {
      const r = await rig(2);
      r.servers.forEach((s, i) => s.handle(byPath({ '/start': redirect(302, '/done?z=1') }, echo(`orders-${i}`))));
      const res = await r.client.request({ method: 'GET', url: 'http://orders/start', headers: { authorization: 'Bearer t0ken' } });
      if (!driver.followsRedirects) {
        expect(res.status).toBe(302);
        return;
      }
      expect(res.status).toBe(200);
      const hop = processed(r).filter((p) => p.path !== '/start');
      expect(hop.map((p) => [p.method, p.path, p.headers.authorization])).toEqual([['GET', '/done?z=1', 'Bearer t0ken']]);
      // The hop was a balanced call of its own: round robin sent it to the other instance.
      expect(r.servers.map((s) => s.processed.length)).toEqual([1, 1]);
      expect(attempts(r)).toBe(2);
    });

    it('a response reset in the middle of its body counts against the instance, and is retried elsewhere when nothing reached the caller', async () => {
      const r = await rig(2, { outlierDetection: { consecutiveFailures: { threshold: 2 }, maxEjectionPercent: 50 } });
      r.servers[0]!.handle(resetMidBody);
      r.servers[1]!.handle(echo('orders-1'));
      const outcomes: (number | 'error')[] = [];
      for (let i = 0; i < 6; i++) {
        const result = await settle(r.client.request({ method: 'GET', url: 'http://orders/items' }));
        outcomes.push(result.ok ? result.value.status : 'error');
      }
      expect(r.servers[0]!.processed).toHaveLength(2); // two broken bodies, then ejected
      expect(instances(r)[0]!.state).toBe('ejected');
      expect(instances(r)[0]!.totals.failures).toBe(2);
      // Buffering clients never showed the broken body to the caller: retried on the other instance.
      if (driver.buffersBody) expect(outcomes).toEqual([200, 200, 200, 200, 200, 200]);
      else expect(outcomes.filter((o) => o === 'error')).toHaveLength(2);
    });

    it('the attempt deadline ends at the response headers: a body that comes later than it is read in full, nobody blamed', async () => {
      const runtime = createFakeRuntime({ seed: 3 });
      const r = await rig(1, { retry: { maxRetries: 1, perAttemptTimeoutMs: 1_000 } }, 'orders', runtime);
      let sendBody = (): void => {};
      r.servers[0]!.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '4' });
        res.flushHeaders();
        sendBody = () => res.end('done');
      });
      const pending = r.client.request({ method: 'GET', url: 'http://orders/slow-body' });
      // Armed at the pick; ended by the response head. Were it to cover the body, it would stay armed.
      await until(() => r.servers[0]!.processed.length === 1 && runtime.pendingTimers({ includeUnref: false }) === 0, 'the attempt deadline to end at the headers');
      runtime.advance(5_000);
      sendBody();
      const res = await pending;
      expect([res.status, res.body]).toEqual([200, 'done']);
      expect(instances(r)[0]!.totals).toMatchObject({ requests: 1, failures: 0 });
    });

    it('a deadline of the caller (an abort whose reason is a TimeoutError) is the caller giving up: nobody blamed, nothing retried', async () => {
      const r = await rig(2, { outlierDetection: { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 50 } });
      for (const s of r.servers) s.handle(() => {}); // accept and never answer
      const controller = new AbortController();
      const pending = settle(r.client.request({ method: 'GET', url: 'http://orders/wait', signal: controller.signal }));
      await until(() => processed(r).length === 1, 'the request to reach an instance');
      controller.abort(new DOMException('the caller\'s deadline passed', 'TimeoutError'));
      expect((await pending).ok).toBe(false);
      await until(() => instances(r).every((i) => i.inFlight === 0), 'the attempt to end');
      expect(processed(r)).toHaveLength(1);
      expect(instances(r).map((i) => [i.state, i.totals.failures])).toEqual([
        ['healthy', 0],
        ['healthy', 0],
      ]);
    });

    it('a logical https:// URL is not sent as plain HTTP to an http:// instance: ERR_SCHEME_MISMATCH, nothing sent', async () => {
      const r = await rig(1);
      const result = await settle(r.client.request({ method: 'GET', url: 'https://orders/secret' }));
      expect(result.ok).toBe(false);
      expect(balancerErrorCode(!result.ok && result.error)).toBe('ERR_SCHEME_MISMATCH');
      expect(processed(r)).toHaveLength(0);
    });

    it('a logical https:// URL may go to an http:// instance when the service allows the downgrade', async () => {
      const r = await rig(1, { allowSchemeDowngrade: true } as Partial<ServiceOptions>);
      const res = await r.client.request({ method: 'GET', url: 'https://orders/ok' });
      expect(res.status).toBe(200);
      expect(processed(r).map((p) => p.path)).toEqual(['/ok']);
    });

    it('a fully qualified host with a trailing dot (http://orders./) is the service', async () => {
      const r = await rig(1);
      const res = await r.client.request({ method: 'GET', url: 'http://orders./fq' });
      expect(res.status).toBe(200);
      expect(processed(r).map((p) => p.path)).toEqual(['/fq']);
      expect(attempts(r)).toBe(1);
    });
  });
}
