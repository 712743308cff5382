/**
 * End to end: instances register themselves in a real etcd, a balancer discovers them through
 * etcdDiscovery and routes real HTTP requests (Node's fetch, driven through the core Call API)
 * to testkit servers. Deregistration, crashes, an etcd restart and malformed entries.
 */
import { createBalancer, type Balancer, type InstanceSnapshot } from '@datapunk/balancer';
import { etcdAvailable, startEtcd, startFleet, startServer, type EtcdServer, type Fleet, type TestServer } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdDiscovery } from './discovery.js';
import { captureLogger, raw, send, waitFor, type LogLine, type Result } from './etcd.test-helpers.js';
import { register, type Registration } from './register.js';

const TTL_SECONDS = 2;
const TTL_MS = TTL_SECONDS * 1000;
const FAST = { backoffBaseMs: 20, backoffMaxMs: 200 } as const;

function instances(balancer: Balancer): readonly InstanceSnapshot[] {
  return balancer.snapshot().services['orders']?.instances ?? [];
}

function instance(balancer: Balancer, url: string): InstanceSnapshot | undefined {
  return instances(balancer).find((i) => i.url === url);
}

describe.skipIf(!etcdAvailable())('balancer with etcd discovery and self-registration (real etcd)', () => {
  let etcd: EtcdServer;
  let counter = 0;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => etcd?.close());

  async function registerServer(service: string, server: TestServer): Promise<Registration> {
    const r = await register({ endpoints: etcd.endpoint, service, url: server.url, ttlSeconds: TTL_SECONDS, ...FAST });
    cleanups.push(() => r.close());
    return r;
  }

  async function extraServer(service: string): Promise<TestServer> {
    const server = await startServer();
    cleanups.push(() => server.close({ graceMs: 0 }));
    await registerServer(service, server);
    return server;
  }

  /** `count` servers registered under a fresh service name, and a balancer discovering them. */
  async function setup(count = 3): Promise<{ service: string; fleet: Fleet; regs: Registration[]; balancer: Balancer; log: LogLine[] }> {
    const service = `orders${++counter}`;
    const fleet = await startFleet({ count });
    cleanups.push(() => fleet.close({ graceMs: 0 }));
    const regs = await Promise.all(fleet.servers.map((s) => registerServer(service, s)));
    const logger = captureLogger();
    const balancer = createBalancer({
      services: { orders: { discovery: etcdDiscovery({ endpoints: etcd.endpoint, service, logger, ...FAST }), strategy: 'round-robin' } },
      logger,
    });
    cleanups.push(() => balancer.close());
    await waitFor(`${count} instances discovered`, () => instances(balancer).length === count);
    return { service, fleet, regs, balancer, log: logger.lines };
  }

  it('routes to every registered instance', async () => {
    const { fleet, balancer } = await setup();
    const results: Result[] = [];
    for (let i = 0; i < 30; i++) results.push(await send(balancer));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const perOrigin = Object.fromEntries(fleet.urls.map((url) => [url, results.filter((r) => r.origin === url).length]));
    expect(perOrigin).toEqual(Object.fromEntries(fleet.urls.map((url) => [url, 10])));
    expect(Object.values(fleet.totals())).toEqual([10, 10, 10]);
  });

  it('graceful deregistration: in-flight requests finish, no new request goes to it, then it is forgotten', async () => {
    const { fleet, regs, balancer } = await setup();
    const slow = fleet.servers[0]!;
    slow.setBehavior({ latencyMs: 500 });
    // Round robin over three: 60 requests put exactly 20 on each instance.
    const first = Array.from({ length: 60 }, () => send(balancer));
    await waitFor('20 requests in flight on the slow instance', () => slow.inFlight === 20);

    await regs[0]!.close();
    await waitFor('the slow instance draining', () => instance(balancer, slow.url)?.state === 'draining');
    expect(instance(balancer, slow.url)?.inFlight).toBe(20);
    const during = await Promise.all(Array.from({ length: 30 }, () => send(balancer)));
    expect(during.filter((r) => r.origin === slow.url)).toEqual([]);
    expect(during.every((r) => r.status === 200)).toBe(true);

    const results = await Promise.all(first);
    const onSlow = results.filter((r) => r.origin === slow.url);
    expect(onSlow.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(slow.stats.total).toBe(20);
    await waitFor('the drained instance forgotten', () => instance(balancer, slow.url) === undefined);
    expect(instances(balancer).map((i) => i.state)).toEqual(['healthy', 'healthy']);
  });

  it('a crashed instance (keepalives stop, no revoke) disappears within the TTL plus one refresh', async () => {
    const { fleet, regs, balancer } = await setup();
    const victim = fleet.servers[1]!;
    regs[1]!.abandon();
    const abandoned = performance.now();
    // Nothing was revoked: the instance stays until etcd expires the lease.
    expect(instance(balancer, victim.url)).toBeDefined();
    await waitFor('the crashed instance gone', () => instance(balancer, victim.url) === undefined, 3 * TTL_MS, 10);
    console.info(`[etcd] crashed instance gone from the balancer after ${Math.round(performance.now() - abandoned)} ms (TTL ${TTL_MS} ms)`);
    expect(instances(balancer)).toHaveLength(2);
  });

  it('etcd restarted mid-traffic: no request fails, and the watch resumes', async () => {
    const { service, fleet, balancer, log } = await setup();
    let running = true;
    let sent = 0;
    const failures: unknown[] = [];
    const loop = async (): Promise<void> => {
      while (running) {
        try {
          const r = await send(balancer);
          sent++;
          if (r.status !== 200) failures.push(r.status);
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 2)); // pace the traffic: 2 shared cores
      }
    };
    const traffic = [loop(), loop()];
    await waitFor('traffic flowing', () => sent >= 20);

    const beforeStop = sent;
    await etcd.stop();
    await waitFor('discovery noticing the outage', () => log.some((l) => l.fields['event'] === 'etcd-discovery-failed'));
    await etcd.restart();
    const duringOutage = sent - beforeStop;
    await waitFor('discovery reading again', () => log.some((l) => l.fields['event'] === 'etcd-discovery-recovered'));

    const added = await extraServer(service);
    await waitFor('an instance registered after the restart', () => instance(balancer, added.url)?.state === 'healthy');
    await waitFor('traffic reaching it', () => added.stats.total >= 3);
    running = false;
    await Promise.all(traffic);

    console.info(`[etcd] restart mid-traffic: ${sent} requests, ${duringOutage} of them while etcd was stopped or starting, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(duringOutage).toBeGreaterThan(0);
    // The original registrations survived the restart (their leases are persisted) and kept serving.
    expect(instances(balancer).map((i) => i.url).sort()).toEqual([...fleet.urls, added.url].sort());
    expect(instances(balancer).every((i) => i.state === 'healthy')).toBe(true);
  });

  it('malformed entries are skipped with a warning while good ones are used', async () => {
    const { service, fleet, balancer, log } = await setup(2);
    const dir = `/datapunk/services/${service}/`;
    const bad = {
      'bad-url': JSON.stringify({ url: 'not a url' }),
      'wrong-types': JSON.stringify({ url: 'http://127.0.0.1:1', weight: 'heavy', zone: 7 }),
      'bad-json': '{"url": "http://127.0.0.1:2"',
      huge: JSON.stringify({ url: 'http://127.0.0.1:3', metadata: { pad: 'x'.repeat(70 * 1024) } }),
    };
    for (const [key, value] of Object.entries(bad)) await raw.put(etcd.endpoint, dir + key, value);
    // The balancer logs each skipped entry by its key, with the service's other rejects.
    const warnings = (): LogLine[] => log.filter((l) => l.fields['event'] === 'invalid-entry' && l.fields['source'] === 'etcd').slice(-4);
    await waitFor('a warning per malformed entry', () => warnings().length === 4 && new Set(warnings().map((l) => l.fields['path'])).size === 4);
    expect(warnings().map((l) => [l.level, l.fields['path']]).sort()).toEqual(Object.keys(bad).map((key) => ['warn', dir + key]).sort());
    expect(Object.fromEntries(warnings().map((l) => [l.fields['path'], l.fields['problem']]))).toEqual({
      [`${dir}bad-url`]: expect.stringContaining('url: expected an origin'),
      [`${dir}wrong-types`]: expect.stringMatching(/weight: expected an integer.*zone: expected a string/),
      [`${dir}bad-json`]: expect.stringContaining('not valid JSON'),
      [`${dir}huge`]: expect.stringContaining('exceeds the limit of 65536 bytes'),
    });

    // Good entries keep working, and later changes still apply.
    const added = await extraServer(service);
    await waitFor('the instance added after the bad entries', () => instances(balancer).length === 3);
    expect(instances(balancer).map((i) => i.url).sort()).toEqual([...fleet.urls, added.url].sort());
    const results = await Promise.all(Array.from({ length: 9 }, () => send(balancer)));
    expect(new Set(results.map((r) => r.origin))).toEqual(new Set([...fleet.urls, added.url]));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});
