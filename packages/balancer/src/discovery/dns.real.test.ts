/**
 * DNS discovery end to end: a real dnsmasq on loopback (@datapunk/testkit), the real runtime and
 * `node:dns`, a real balancer. Refresh floors are short (100 ms, TTL 0) and every wait is a
 * bounded poll on the balancer's snapshot, never a fixed sleep. Skipped with a warning when
 * dnsmasq is not installed (an error with CI=true). The exit test runs the BUILT package in a
 * child `node` (build first: `pnpm exec tsc -b packages/balancer`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dnsmasqForTests, startDnsmasq, type Dnsmasq, type DnsmasqRecords } from '@datapunk/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBalancer, type Balancer } from '../balancer.js';
import { pickFrom } from '../testing/pick.js';
import { NoAvailableInstanceError } from '../errors.js';
import { dnsDiscovery, type DnsDiscovery, type DnsDiscoveryOptions } from './dns.js';
import { captureLogger } from './dns.test-helpers.js';

const binary = dnsmasqForTests();
const ZONE = 'orders.test.local';
const SRV = `_http._tcp.${ZONE}`;

const open: { close?(): Promise<void>; stop?(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await (o.close ? o.close() : o.stop?.());
});

async function dnsmasq(records: DnsmasqRecords): Promise<Dnsmasq> {
  const dns = await startDnsmasq({ records: { ttl: 0, ...records } });
  open.push(dns);
  return dns;
}

function balancerOn(dns: Dnsmasq, options: Omit<DnsDiscoveryOptions, 'servers'>) {
  const logger = captureLogger();
  const discovery: DnsDiscovery = dnsDiscovery({
    servers: [dns.server],
    minRefreshMs: 100,
    maxRefreshMs: 200,
    failureBackoff: { baseMs: 50, maxMs: 200 },
    timeoutMs: 1_000,
    ...options,
  });
  const balancer = createBalancer({ services: { orders: { discovery } }, logger });
  open.push(balancer);
  return { balancer, discovery, logger };
}

/** Instances as `url weight` strings, sorted. */
const instances = (balancer: Balancer): string[] =>
  balancer.snapshot().services.orders!.instances.map((i) => `${i.url} w${i.weight}`).sort();

/** Polls (every 20 ms, at most 5 s) until the snapshot lists exactly `expected`. */
const waitForInstances = (balancer: Balancer, expected: string[]): Promise<void> =>
  vi.waitFor(() => expect(instances(balancer)).toEqual(expected), { timeout: 5_000, interval: 20 });

describe.skipIf(!binary)('DNS discovery against dnsmasq', () => {
  it('A records: instances appear, follow record changes, and survive the DNS server going away', async () => {
    const dns = await dnsmasq({ hosts: [{ name: ZONE, addresses: ['127.0.0.1', '127.0.0.2'] }] });
    const { balancer, discovery, logger } = balancerOn(dns, { name: ZONE, type: 'A', port: 8080 });
    const t0 = performance.now();
    await waitForInstances(balancer, ['http://127.0.0.1:8080 w1', 'http://127.0.0.2:8080 w1']);
    const first = performance.now() - t0;

    await dns.restart({ ttl: 0, hosts: [{ name: ZONE, addresses: ['127.0.0.2', '127.0.0.3'] }] });
    const t1 = performance.now();
    await waitForInstances(balancer, ['http://127.0.0.2:8080 w1', 'http://127.0.0.3:8080 w1']);
    const changed = performance.now() - t1;

    // A refresh may have failed while dnsmasq restarted: count from here.
    const mark = logger.lines.length;
    const before = discovery.stats().failures;
    await dns.stop();
    await vi.waitFor(() => expect(discovery.stats().failures - before).toBeGreaterThanOrEqual(3), { timeout: 5_000, interval: 20 });
    expect(instances(balancer)).toEqual(['http://127.0.0.2:8080 w1', 'http://127.0.0.3:8080 w1']);
    const failed = logger.lines.slice(mark).filter((l) => l.fields.event === 'discovery-failed');
    expect(failed).toHaveLength(1); // the first of the streak only; every one is counted
    expect(failed[0]).toMatchObject({ level: 'warn', fields: { service: 'orders', source: 'dns', kept: 2, err: { code: 'ECONNREFUSED' } } });
    const p = pickFrom(balancer, 'orders');
    expect(p.ok).toBe(true);
    if (p.ok) p.done({ kind: 'response', status: 200, latencyMs: 1 });
    console.info(
      `A: first list after ${first.toFixed(0)} ms, change seen after ${changed.toFixed(0)} ms, ` +
        `${discovery.stats().failures} failed refreshes kept the list (${discovery.stats().refreshes} refreshes in all)`,
    );
  });

  it('SRV records: lowest priority group, per-record ports, weights; bad records skipped with a warning', async () => {
    const dns = await dnsmasq({
      hosts: [
        { name: `a.${ZONE}`, addresses: ['127.0.0.1'] },
        { name: `b.${ZONE}`, addresses: ['127.0.0.2'] },
        { name: `backup.${ZONE}`, addresses: ['127.0.0.9'] },
      ],
      srv: [
        { name: SRV, target: `a.${ZONE}`, port: 8081, priority: 1, weight: 10 },
        { name: SRV, target: `b.${ZONE}`, port: 8082, priority: 1, weight: 0 },
        { name: SRV, target: '127.0.0.1', port: 8083, priority: 1, weight: 65_535 },
        { name: SRV, target: `c.${ZONE}`, port: 0, priority: 1, weight: 10 },
        { name: SRV, target: `gone.${ZONE}`, port: 8085, priority: 1, weight: 10 },
        { name: SRV, target: `backup.${ZONE}`, port: 9000, priority: 2, weight: 10 },
      ],
    });
    const { balancer, logger } = balancerOn(dns, { name: SRV, type: 'SRV', targetType: 'A' });
    // 65535 is scaled to the core's 10,000 and the others with it; 0 becomes 1; backup (priority 2) is unused.
    await waitForInstances(balancer, ['http://127.0.0.1:8081 w2', 'http://127.0.0.1:8083 w10000', 'http://127.0.0.2:8082 w1']);
    const skipped = logger.lines.filter((l) => l.fields.event === 'invalid-entry' && l.level === 'warn').map((l) => String(l.fields.problem));
    expect(skipped.some((p) => p.includes('DNS record skipped (port 0)'))).toBe(true);
    expect(skipped.some((p) => p.includes('DNS record skipped (target does not resolve: NXDOMAIN)'))).toBe(true);
    expect(balancer.snapshot().services.orders!.instances.find((i) => i.url === 'http://127.0.0.1:8081')?.metadata).toEqual({
      srvTarget: `a.${ZONE}`,
      srvPriority: '1',
    });

    // The priority-1 group loses every usable record: traffic fails over to priority 2.
    await dns.restart({
      ttl: 0,
      hosts: [{ name: `backup.${ZONE}`, addresses: ['127.0.0.9'] }],
      srv: [
        { name: SRV, target: `gone.${ZONE}`, port: 8081, priority: 1, weight: 10 },
        { name: SRV, target: `backup.${ZONE}`, port: 9000, priority: 2, weight: 10 },
      ],
    });
    await waitForInstances(balancer, ['http://127.0.0.9:9000 w10']);
  });

  it('NXDOMAIN keeps the last list and is reported; a confirmed NODATA drains the service', async () => {
    const dns = await dnsmasq({ srv: [{ name: SRV, target: '127.0.0.1', port: 8081 }] });
    const { balancer, discovery, logger } = balancerOn(dns, { name: SRV, type: 'SRV' });
    await waitForInstances(balancer, ['http://127.0.0.1:8081 w1']);

    // The SRV name disappears from the zone: NXDOMAIN, a failure; the instance stays.
    await dns.restart({ ttl: 0, hosts: [{ name: `other.${ZONE}`, addresses: ['127.0.0.1'] }] });
    await vi.waitFor(
      () => {
        expect(discovery.stats().lastError).toMatchObject({ code: 'ENOTFOUND' });
        expect(discovery.stats().consecutiveFailures).toBeGreaterThanOrEqual(2);
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(instances(balancer)).toEqual(['http://127.0.0.1:8081 w1']);
    expect(logger.lines.some((l) => l.fields.event === 'discovery-failed' && l.level === 'warn')).toBe(true);

    // The name exists again but without SRV records: NODATA, applied once confirmed.
    await dns.restart({ ttl: 0, hosts: [{ name: SRV, addresses: ['127.0.0.1'] }] });
    await waitForInstances(balancer, []);
    expect(discovery.stats().consecutiveEmpty).toBeGreaterThanOrEqual(2);
    const p = pickFrom(balancer, 'orders');
    expect(!p.ok && p.error instanceof NoAvailableInstanceError && p.error.reason).toBe('none-discovered');
  });
});

/**
 * The child: a DNS server that never answers, a balancer querying it (60 s query timeout),
 * close() while the query is in flight. A watchdog that does not keep the process alive exits
 * with code 3 after 2.5 s: only a query still holding the process (c-ares gives up after 5 s) can let it fire.
 */
const EXIT_SCRIPT = `
import { createSocket } from 'node:dgram';
const { createBalancer, dnsDiscovery } = await import(process.env.INDEX_JS);
const silent = createSocket('udp4');
await new Promise((resolve) => silent.bind(0, '127.0.0.1', resolve));
const discovery = dnsDiscovery({ name: 'orders.test.local', port: 8080, servers: ['127.0.0.1:' + silent.address().port], timeoutMs: 60000 });
const balancer = createBalancer({ services: { orders: { discovery } } });
let received = 0;
await new Promise((resolve) => silent.once('message', () => resolve(received++)));
silent.close();
await balancer.close();
setTimeout(() => { console.log(JSON.stringify({ received, watchdog: true })); process.exit(3); }, 2500).unref();
process.on('exit', (code) => { if (code === 0) console.log(JSON.stringify({ received, watchdog: false })); });
`;

describe('close() with a query in flight', () => {
  it('cancels it: the process exits by itself instead of waiting for the query timeout', async () => {
    const index = new URL('../../dist/index.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', EXIT_SCRIPT], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, INDEX_JS: index },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    // Without resolver.cancel() the in-flight query keeps the process alive until the watchdog.
    expect(JSON.parse(out)).toEqual({ received: 1, watchdog: false });
    expect(code).toBe(0);
  }, 15_000);
});
