/**
 * Real sockets: undici.request, undici.fetch and Node's global fetch, balanced over a fleet of
 * fault-injecting loopback servers. Timeouts are short and real; nothing sleeps.
 */
import { Readable } from 'node:stream';
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { seededRandom, startFleet, type Fleet } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent, fetch, getGlobalDispatcher, request, setGlobalDispatcher, type Dispatcher } from './undici.test-helpers.js';
import { withBalancer } from './with-balancer.js';

interface Echo {
  server: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

let fleet: Fleet;
let open: { balancer: Balancer; dispatcher: Dispatcher }[] = [];

beforeAll(async () => {
  fleet = await startFleet({ count: 3 });
});
afterAll(async () => {
  await fleet.close({ graceMs: 0 });
});
beforeEach(async () => {
  for (const s of fleet.servers) {
    s.resetBehavior();
    s.resetStats();
    await s.restart();
  }
});
afterEach(async () => {
  await Promise.all(open.map(({ balancer, dispatcher }) => Promise.all([balancer.close(), dispatcher.close()])));
  open = [];
});

/** A balancer over `urls` (default: the whole fleet) and a balanced Agent. */
function balanced(service: Partial<ServiceOptions> = {}, urls: readonly string[] = fleet.urls) {
  const balancer = createBalancer({
    services: { orders: { instances: [...urls], strategy: 'round-robin', outlierDetection: false, ...service } },
  });
  const dispatcher = withBalancer(new Agent({ keepAliveTimeout: 1_000 }), balancer);
  open.push({ balancer, dispatcher });
  const instances = () => balancer.snapshot().services.orders!.instances;
  const inFlight = () => instances().map((i) => i.inFlight);
  const failures = (url: string) => instances().find((i) => i.url === url)!.totals.failures;
  return { balancer, dispatcher, inFlight, failures };
}

async function get(dispatcher: Dispatcher, url: string, options: Omit<Parameters<typeof request>[1], 'dispatcher'> = {}) {
  const res = await request(url, { ...options, dispatcher });
  return { status: res.statusCode, echo: (await res.body.json()) as Echo };
}

describe('withBalancer over real sockets', () => {
  it('balances undici.request, undici.fetch and the global fetch; other hosts pass through', async () => {
    const { dispatcher, inFlight } = balanced();
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const { status, echo } = await get(dispatcher, `http://orders/api/items/${i}?page=2`);
      expect([status, echo.path, echo.query]).toEqual([200, `/api/items/${i}`, { page: '2' }]);
      seen.add(echo.server);
    }
    expect(seen).toEqual(new Set(['server-0', 'server-1', 'server-2']));

    const f = await fetch('http://orders/f?x=1', { dispatcher });
    expect(f.status).toBe(200);
    expect(((await f.json()) as Echo).path).toBe('/f');

    const previous = getGlobalDispatcher();
    setGlobalDispatcher(dispatcher);
    try {
      const g = await globalThis.fetch('http://orders/global', { headers: { 'x-global': 'yes' } });
      const echo = (await g.json()) as Echo;
      expect([g.status, echo.path, echo.headers['x-global']]).toEqual([200, '/global', 'yes']);
    } finally {
      setGlobalDispatcher(previous);
    }

    const direct = await get(dispatcher, `${fleet.urls[1]}/direct`);
    expect(direct.echo.server).toBe('server-1');
    expect(inFlight()).toEqual([0, 0, 0]);
  });

  it('a 503 is retried on another instance and the caller gets the 200', async () => {
    fleet.get(0).setBehavior({ errorRate: 1 });
    const { dispatcher, inFlight, failures } = balanced({ retry: { maxRetries: 1 } });
    const servers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { status, echo } = await get(dispatcher, 'http://orders/x');
        expect(status).toBe(200);
        return echo.server;
      }),
    );
    const refused503 = fleet.get(0).stats.byStatus[503] ?? 0;
    expect(refused503).toBeGreaterThanOrEqual(1);
    expect(servers).not.toContain('server-0');
    expect(failures(fleet.urls[0]!)).toBe(refused503);
    expect(inFlight()).toEqual([0, 0, 0]);
  });

  it('a refused connection (crashed instance) is retried elsewhere', async () => {
    await fleet.get(0).crash();
    const { dispatcher, inFlight, failures } = balanced();
    for (let i = 0; i < 4; i++) expect((await get(dispatcher, 'http://orders/x')).status).toBe(200);
    const f = await fetch('http://orders/x', { dispatcher, method: 'POST', body: 'fetch body' });
    expect(f.status).toBe(200);
    expect(failures(fleet.urls[0]!)).toBeGreaterThanOrEqual(1);
    expect(inFlight()).toEqual([0, 0, 0]);
  });

  it('a hung instance costs one per-attempt timeout, then the request succeeds elsewhere', async () => {
    fleet.get(0).setBehavior({ hang: true });
    const { dispatcher, inFlight, failures } = balanced({ retry: { maxRetries: 1, perAttemptTimeoutMs: 200 } });
    // The hung instance never answers: only the attempt timeout ends that attempt.
    const results = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const { status, echo } = await get(dispatcher, 'http://orders/slow');
        return { status, server: echo.server };
      }),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.server)).not.toContain('server-0');
    expect(failures(fleet.urls[0]!)).toBe(1);
    expect(inFlight()).toEqual([0, 0, 0]);
    // The timed-out attempt was really aborted: its socket is closed and the server is idle.
    await fleet.get(0).whenIdle();
  });

  it('authorization header and JSON body arrive intact after a retry (request after a 503, fetch after a refusal)', async () => {
    const body = JSON.stringify({ id: 42, items: ['a', 'b'], note: 'ünïcode' });
    const headers = { authorization: 'Bearer secret-token', 'content-type': 'application/json' };

    fleet.get(0).setBehavior({ errorRate: 1 });
    const viaRequest = balanced({ retry: { maxRetries: 1 } }, fleet.urls.slice(0, 2));
    for (let i = 0; i < 2; i++) {
      const { status, echo } = await get(viaRequest.dispatcher, 'http://orders/items/42', { method: 'PUT', headers, body });
      expect([status, echo.server, echo.method, echo.body]).toEqual([200, 'server-1', 'PUT', body]);
      expect(echo.headers.authorization).toBe(headers.authorization);
    }
    const firstTries = fleet.get(0).requests.map((r) => [r.method, r.headers.authorization, r.body]);
    expect(firstTries.length).toBeGreaterThanOrEqual(1);
    for (const t of firstTries) expect(t).toEqual(['PUT', headers.authorization, body]);

    await fleet.get(2).crash();
    const viaFetch = balanced({}, [fleet.urls[2]!, fleet.urls[1]!]);
    for (let i = 0; i < 2; i++) {
      const res = await fetch('http://orders/items', { dispatcher: viaFetch.dispatcher, method: 'POST', headers, body });
      const echo = (await res.json()) as Echo;
      expect([res.status, echo.server, echo.method, echo.body]).toEqual([200, 'server-1', 'POST', body]);
      expect(echo.headers.authorization).toBe(headers.authorization);
    }
    expect(viaFetch.failures(fleet.urls[2]!)).toBeGreaterThanOrEqual(1);
  });

  it('one-shot bodies (every fetch body, streams) are replayed after a 503 up to retry.bufferBodyBytes, not past it', async () => {
    const body = 'ünïcode body';
    const limit = Buffer.byteLength(body);
    fleet.get(0).setBehavior({ errorRate: 1 });
    const { dispatcher, inFlight } = balanced({ retry: { maxRetries: 1, bufferBodyBytes: limit } }, fleet.urls.slice(0, 2));
    const sends = {
      fetch: async (b: string | Readable) => {
        const res = await fetch('http://orders/up', { dispatcher, method: 'PUT', body: b, duplex: 'half' });
        return { status: res.status, echo: (await res.json()) as Echo };
      },
      request: (b: string | Readable) => get(dispatcher, 'http://orders/up', { method: 'PUT', body: b }),
    };
    for (const [name, send] of Object.entries(sends)) {
      for (let i = 0; i < 2; i++) {
        const { status, echo } = await send(Readable.from([body.slice(0, 3), body.slice(3)]));
        expect([name, status, echo.server, echo.body]).toEqual([name, 200, 'server-1', body]);
      }
      const over = [];
      for (let i = 0; i < 2; i++) over.push((await send(Readable.from([body, '!']))).status);
      expect([name, over.sort()]).toEqual([name, [200, 503]]);
    }
    const { status, echo } = await sends.fetch(body);
    expect([status, echo.body]).toEqual([200, body]);
    expect(new Set(fleet.get(0).requests.map((r) => r.body))).toEqual(new Set([body, `${body}!`]));
    expect(inFlight()).toEqual([0, 0]);
  });

  it('200 requests aborted at random moments leave nothing in flight and blame no instance', async () => {
    fleet.setBehavior({ latencyMs: { kind: 'uniform', minMs: 0, maxMs: 8 }, slowBodyMs: 3, errorRate: 0.2 });
    const { dispatcher, balancer, inFlight } = balanced({ retry: { maxRetries: 2, backoffBaseMs: 5 } });
    const random = seededRandom(11);
    const outcomes = { completed: 0, aborted: 0 };
    // i % 4: 0 aborts at once, 1 at a random moment (connecting, waiting, in backoff, reading),
    // 2 as soon as the headers arrived (during the body), 3 never. Even i use request, odd fetch.
    const one = async (i: number) => {
      const controller = new AbortController();
      const abort = () => controller.abort(new Error('caller gave up'));
      const timer = i % 4 === 1 ? setTimeout(abort, random() * 30) : undefined;
      try {
        if (i % 2 === 0) {
          const pending = request('http://orders/r', { dispatcher, signal: controller.signal });
          if (i % 4 === 0) abort();
          const res = await pending;
          if (i % 4 === 2) abort();
          await res.body.text();
        } else {
          const pending = fetch('http://orders/f', { dispatcher, signal: controller.signal });
          const res = await pending;
          if (i % 4 === 2) abort();
          await res.text();
        }
        outcomes.completed++;
      } catch {
        outcomes.aborted++;
      } finally {
        clearTimeout(timer);
      }
    };
    for (let batch = 0; batch < 4; batch++) await Promise.all(Array.from({ length: 50 }, (_, i) => one(batch * 50 + i)));
    expect(outcomes.completed + outcomes.aborted).toBe(200);
    expect(outcomes.completed).toBeGreaterThanOrEqual(50);
    expect(outcomes.aborted).toBeGreaterThanOrEqual(50);
    expect(inFlight()).toEqual([0, 0, 0]);
    const totals = balancer.snapshot().services.orders!.instances.map((i) => i.totals);
    const sum = (k: 'requests' | 'failures' | 'cancelled') => totals.reduce((n, t) => n + t[k], 0);
    // Every failure is an injected 503 that a server really sent; aborts only count as cancelled.
    const sent503 = fleet.servers.reduce((n, s) => n + (s.stats.byStatus[503] ?? 0), 0);
    expect(sum('failures')).toBeLessThanOrEqual(sent503);
    expect(sum('cancelled')).toBeGreaterThanOrEqual(50);
  });
});
