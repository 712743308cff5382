/**
 * axios with client-side load balancing.
 *
 * `withBalancer(axios.create(), balancer)` installs the balancer on an axios instance: requests
 * to a configured service's logical URL (`http://orders/...`) go to an instance the balancer
 * picks; other URLs pass through untouched. This example starts three local `orders` instances
 * (testkit servers on 127.0.0.1, so it runs anywhere), one of which answers every request with
 * 503. Round robin sends it its turn; each 503 is retried on another instance (GET is
 * idempotent), and after 5 failures in a row outlier detection ejects it. The caller sees only
 * 200s.
 *
 *   pnpm --filter @datapunk/example-axios start
 */
import { createBalancer } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-axios';
import { startFleet } from '@datapunk/testkit';
import axios from 'axios';

const fleet = await startFleet({ count: 3, namePrefix: 'orders' });
fleet.get('orders-2').setBehavior({ errorRate: 1, errorStatus: 503 });

const balancer = createBalancer({
  services: {
    orders: {
      instances: fleet.urls,
      // Round robin so the failing instance visibly takes its turn until it is ejected; the
      // default, peak-EWMA, would stop choosing it after its first failure.
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: { threshold: 5 }, baseEjectionMs: 30_000 },
      retry: { maxRetries: 1 },
    },
  },
});
const http = withBalancer(axios.create({ timeout: 2_000 }), balancer);

const servedBy: Record<string, number> = {};
let ok = 0;
const requests = 30;
for (let id = 1; id <= requests; id++) {
  const res = await http.get<{ path: string }>(`http://orders/api/v1/orders/${id}`);
  const server = String(res.headers['x-testkit-server']);
  servedBy[server] = (servedBy[server] ?? 0) + 1;
  if (res.status === 200 && res.data.path === `/api/v1/orders/${id}`) ok++;
}

console.log(`${ok}/${requests} requests answered 200`);
console.log(`served by: ${JSON.stringify(servedBy)}`);
console.log(`received by the servers (retried 503s included): ${JSON.stringify(fleet.totals())}`);
for (const i of balancer.snapshot().services.orders!.instances) {
  const name = fleet.servers.find((s) => s.url === i.url)?.id;
  console.log(`${name}: ${i.state}${i.ejection ? ` (${i.ejection.reason})` : ''}`);
}

await balancer.close();
await fleet.close();
