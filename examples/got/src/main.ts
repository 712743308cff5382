/**
 * got with client-side load balancing.
 *
 * `withBalancer(got, balancer)` returns an extended got instance whose requests to a configured
 * service (`http://billing/...`) go to an instance the balancer picks, with the balancer's
 * retries instead of got's own. This example starts three local `billing` instances (testkit
 * servers on 127.0.0.1) and crashes one: its port refuses connections. POST is not idempotent,
 * yet a refused connection is retried on another instance anyway, because the request never
 * left. Active health checks notice the crash and take the instance out of rotation.
 *
 *   pnpm --filter @datapunk/example-got start
 */
import { createBalancer } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-got';
import { startFleet } from '@datapunk/testkit';
import got from 'got';

const fleet = await startFleet({ count: 3, namePrefix: 'billing' });
await fleet.get('billing-1').crash();

const balancer = createBalancer({
  services: {
    billing: {
      instances: fleet.urls,
      healthCheck: { path: '/health', intervalMs: 100, unhealthyThreshold: 2 },
    },
  },
});
const client = withBalancer(got, balancer);

let created = 0;
const requests = 20;
for (let n = 1; n <= requests; n++) {
  const res = await client
    .post('http://billing/api/v1/invoices', { json: { order: n, amount: 10 * n }, timeout: { request: 2_000 } })
    .json<{ method: string; body: string }>();
  if (res.method === 'POST' && (JSON.parse(res.body) as { order: number }).order === n) created++;
}
console.log(`${created}/${requests} POSTs answered 200`);

// Health checks run every 100 ms; wait (up to 5 s) until they have marked the crashed instance.
const crashedUrl = fleet.get('billing-1').url;
for (let waited = 0; waited < 5_000; waited += 50) {
  if (balancer.snapshot().services.billing!.instances.some((i) => i.url === crashedUrl && i.health === 'unhealthy')) break;
  await new Promise((r) => setTimeout(r, 50));
}
for (const i of balancer.snapshot().services.billing!.instances) {
  const name = fleet.servers.find((s) => s.url === i.url)?.id;
  console.log(`${name}: ${i.state} (health ${i.health}, ${i.totals.requests} attempts, ${i.totals.failures} failed)`);
}

await balancer.close();
await fleet.close();
