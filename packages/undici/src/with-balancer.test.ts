import { createBalancer, NoAvailableInstanceError, staticDiscovery } from '@datapunk/balancer';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, fetch, MockAgent, request, undici, undiciMajor, type Dispatcher } from './undici.test-helpers.js';
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

  it('is the given dispatcher with dispatch replaced: listeners, close and destroy act on that dispatcher, none of its state on the result', async () => {
    const { balancer } = setup([A]);
    const agent = new Agent();
    const dispatcher = withBalancer(agent, balancer);
    expect(dispatcher).toBeInstanceOf(Agent);
    const onConnect = (): void => {};
    expect(dispatcher.on('connect', onConnect)).toBe(dispatcher); // chains on the result
    expect(agent.listenerCount('connect')).toBe(1);
    expect(dispatcher.listenerCount('connect')).toBe(1);
    dispatcher.off('connect', onConnect);
    expect(agent.listenerCount('connect')).toBe(0);
    await dispatcher.close();
    expect(agent.closed).toBe(true);
    expect((dispatcher as unknown as { closed: boolean }).closed).toBe(true); // read from the agent
    await dispatcher.destroy();
    expect(agent.destroyed).toBe(true);
    // Only the replaced and forwarded methods are its own: everything else is read from the agent.
    expect(Object.getOwnPropertySymbols(dispatcher)).toEqual([]);
    expect(Object.keys(dispatcher)).toEqual([]);
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

describe('withBalancer speaks the caller\'s handler API to the dispatcher (no compose() conversion)', () => {
  function spied() {
    const balancer = createBalancer({ services: { orders: { instances: [A], outlierDetection: false } } });
    cleanup.push(() => balancer.close());
    const handed: Record<string, unknown>[] = [];
    const raw = [Buffer.from('Content-Type'), Buffer.from('text/plain')];
    const next = {
      dispatch(_opts: unknown, handler: Record<string, (...args: unknown[]) => unknown>): boolean {
        handed.push(handler);
        if (typeof handler.onRequestStart === 'function') {
          const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
          handler.onRequestStart(controller, {});
          handler.onResponseStart!(controller, 200, { 'content-type': 'text/plain' }, 'OK');
          handler.onResponseEnd!(controller, {});
        } else {
          handler.onConnect!(() => {});
          handler.onHeaders!(200, raw, () => {}, 'OK');
          handler.onComplete!([]);
        }
        return true;
      },
    };
    return { dispatcher: withBalancer(next as unknown as Dispatcher, balancer), handed, raw };
  }
  const opts = { origin: 'http://orders', path: '/x', method: 'GET' } as const;

  it('a legacy caller (undici 7 request/fetch) gets the raw headers undici gave, as the very same list', () => {
    const { dispatcher, handed, raw } = spied();
    const seen: unknown[] = [];
    const legacy = { onConnect() {}, onError: (e: Error) => seen.push(e), onHeaders: (_s: number, h: unknown) => (seen.push(h), true), onData: () => true, onComplete: () => seen.push('complete') };
    dispatcher.dispatch(opts, legacy as unknown as Dispatcher.DispatchHandler);
    expect(handed).toHaveLength(1);
    expect(handed[0]!.onRequestStart).toBeUndefined(); // legacy to undici: nothing to unwrap
    expect(seen).toEqual([raw, 'complete']);
    expect(seen[0]).toBe(raw);
  });

  it('a caller of the new API gets the parsed headers, and its attempts speak the new API', () => {
    const { dispatcher, handed } = spied();
    const seen: unknown[] = [];
    dispatcher.dispatch(opts, {
      onRequestStart() {},
      onResponseStart: (_c, _s, headers) => seen.push(headers),
      onResponseEnd: () => seen.push('end'),
      onResponseError: (_c, e) => seen.push(e),
    });
    expect(typeof handed[0]!.onRequestStart).toBe('function');
    expect(seen).toEqual([{ 'content-type': 'text/plain' }, 'end']);
  });
});

describe('withBalancer with a legacy caller (fake transport)', () => {
  type Legacy = { onConnect(abort: (e?: Error) => void): void; onHeaders(s: number, h: Buffer[], resume: () => void, t: string): boolean; onData(c: Buffer): boolean; onComplete(t: Buffer[]): void; onError(e: Error): void };
  function rig() {
    const balancer = createBalancer({ services: { orders: { instances: [A, B], strategy: 'round-robin', outlierDetection: false, retry: { maxRetries: 1, backoffBaseMs: 0 } } } });
    cleanup.push(() => balancer.close());
    const attempts: { origin: string; handler: Legacy; aborted?: Error }[] = [];
    const next = {
      dispatch(opts: { origin: string }, handler: Legacy): boolean {
        const a: (typeof attempts)[number] = { origin: opts.origin, handler };
        attempts.push(a);
        handler.onConnect((e) => (a.aborted = e));
        return true;
      },
    };
    const seen: string[] = [];
    const caller: Legacy = {
      onConnect: () => seen.push('connect'),
      onHeaders: (s) => (seen.push(`headers ${s}`), true),
      onData: () => (seen.push('data'), false), // pauses
      onComplete: () => seen.push('complete'),
      onError: (e) => seen.push(`error ${e.message}`),
    };
    const dispatcher = withBalancer(next as unknown as Dispatcher, balancer);
    dispatcher.dispatch({ origin: 'http://orders', path: '/x', method: 'GET' }, caller as unknown as Dispatcher.DispatchHandler);
    return { attempts, seen };
  }

  it('a 503 is discarded and retried elsewhere; the caller sees one request, and its pause reaches the accepted attempt', async () => {
    const { attempts, seen } = rig();
    const resume = () => {};
    expect(attempts[0]!.handler.onHeaders(503, [], resume, 'Service Unavailable')).toBe(true);
    expect(attempts[0]!.aborted?.message).toMatch(/retried on another instance/);
    await new Promise((r) => setImmediate(r)); // backoff 0
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.origin).not.toBe(attempts[0]!.origin);
    expect(attempts[1]!.handler.onHeaders(200, [], resume, 'OK')).toBe(true);
    expect(attempts[1]!.handler.onData(Buffer.from('x'))).toBe(false);
    attempts[1]!.handler.onComplete([]);
    expect(seen).toEqual(['connect', 'headers 200', 'data', 'complete']);
  });
});
