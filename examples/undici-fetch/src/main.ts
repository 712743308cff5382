/**
 * undici's fetch with client-side load balancing.
 *
 * `withBalancer(new Agent(), balancer)` composes the balancer's interceptor onto an undici
 * dispatcher; pass it as `dispatcher` to `undici.fetch` or `undici.request` (or install it with
 * `setGlobalDispatcher`). This example starts three local `orders` instances (testkit servers on
 * 127.0.0.1), one of which hangs: it accepts requests and never answers. With
 * `perAttemptTimeoutMs: 200`, a request that lands there is abandoned after 200 ms and retried on
 * another instance, so a hung instance costs one attempt, not the caller's deadline.
 *
 *   pnpm --filter @datapunk/example-undici-fetch start
 */
import { createBalancer } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { startFleet } from '@datapunk/testkit';
import { Agent, fetch } from 'undici';

const fleet = await startFleet({ count: 3, namePrefix: 'orders' });
fleet.get('orders-0').setBehavior({ hang: true });

const balancer = createBalancer({
  services: {
    orders: {
      instances: fleet.urls,
      strategy: 'round-robin', // so the hung instance gets its turn
      retry: { maxRetries: 1, perAttemptTimeoutMs: 200 },
    },
  },
});
const dispatcher = withBalancer(new Agent(), balancer);

let ok = 0;
let slowest = 0;
const requests = 12;
for (let id = 1; id <= requests; id++) {
  const started = performance.now();
  const res = await fetch(`http://orders/api/v1/orders/${id}`, { dispatcher, signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { server: string };
  slowest = Math.max(slowest, performance.now() - started);
  if (res.ok && body.server !== 'orders-0') ok++;
}
console.log(`${ok}/${requests} requests answered 200 by a live instance`);
console.log(`slowest request: ${slowest < 1_000 ? 'under 1 s' : `${Math.round(slowest)} ms`} (per-attempt timeout 200 ms, deadline 2 s)`);
const hung = balancer.snapshot().services.orders!.instances.find((i) => i.url === fleet.get('orders-0').url)!;
console.log(`orders-0 (hung): ${hung.totals.failures} attempts timed out`);

await dispatcher.close();
await balancer.close();
await fleet.close();
