/**
 * DNS discovery: the instance list comes from DNS and follows it.
 *
 * `dnsDiscovery({ name, type: 'SRV', servers })` resolves SRV records (each gives a host and a
 * port) and re-resolves them as their TTL says; instances that appear join the rotation, and
 * instances that disappear drain (no new requests; forgotten once their requests end). This
 * example serves the records from a local dnsmasq (the Debian package `dnsmasq-base`, started on
 * a free port on 127.0.0.1 by the testkit; nothing touches your resolver) in front of three
 * local `orders` instances, then changes the records while requests flow through undici.request.
 *
 *   pnpm --filter @datapunk/example-dns start
 */
import { createBalancer, dnsDiscovery } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { findDnsmasq, startDnsmasq, startFleet, type DnsmasqSrv } from '@datapunk/testkit';
import { Agent, request } from 'undici';

if (findDnsmasq() === undefined) {
  console.log('dnsmasq not found: install it (apt-get install dnsmasq-base) to run this example');
  process.exit(0);
}

const NAME = '_http._tcp.orders.example.internal';
const fleet = await startFleet({ count: 3, namePrefix: 'orders' });
const srv = (...ids: string[]): DnsmasqSrv[] => ids.map((id) => ({ name: NAME, target: '127.0.0.1', port: fleet.get(id).port }));
const dns = await startDnsmasq({ records: { srv: srv('orders-0', 'orders-1'), ttl: 1 } });

const balancer = createBalancer({
  services: {
    orders: {
      discovery: dnsDiscovery({ name: NAME, type: 'SRV', servers: [dns.server], minRefreshMs: 200, maxRefreshMs: 1_000 }),
      strategy: 'round-robin',
      drainTimeoutMs: 1_000,
    },
  },
});
const dispatcher = withBalancer(new Agent(), balancer);

async function until(what: string, test: () => boolean): Promise<void> {
  for (let waited = 0; !test(); waited += 50) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const ids = (): string[] =>
  balancer
    .snapshot()
    .services.orders!.instances.map((i) => `${fleet.servers.find((s) => s.url === i.url)?.id ?? i.url} (${i.state})`)
    .sort();

async function phase(title: string): Promise<void> {
  fleet.resetStats();
  for (let n = 0; n < 12; n++) {
    const res = await request('http://orders/api/v1/orders/1', { dispatcher });
    await res.body.dump();
  }
  const served = Object.entries(fleet.totals())
    .filter(([, count]) => count > 0)
    .map(([id, count]) => `${id} x${count}`);
  console.log(`${title}: instances ${ids().join(', ')}; served by ${served.join(', ')}`);
}

await until('the first answer', () => ids().length === 2);
await phase('SRV lists orders-0, orders-1');

await dns.restart({ srv: srv('orders-0', 'orders-1', 'orders-2'), ttl: 1 });
await until('orders-2 to join', () => ids().length === 3);
await phase('orders-2 added to DNS');

await dns.restart({ srv: srv('orders-1', 'orders-2'), ttl: 1 });
await until('orders-0 to leave', () => !ids().some((id) => id.startsWith('orders-0 (healthy')));
await phase('orders-0 removed from DNS');

await dispatcher.close();
await balancer.close();
await dns.stop();
await fleet.close();
