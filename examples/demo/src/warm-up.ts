/**
 * A warm-up before the clock starts: a few requests to every instance through every client, on a
 * throwaway balancer. The first requests of a process are slow (module loading, JIT, new
 * connections); peak-EWMA remembers a slow sample as a peak for tens of seconds, so without
 * this, whichever instance happened to serve the cold requests would be shunned from the start.
 */
import { createBalancer } from '@datapunk/balancer';
import { createClients } from './clients.js';

export async function warmUp(services: ReadonlyMap<string, readonly string[]>, rounds = 8): Promise<void> {
  const balancer = createBalancer({
    services: Object.fromEntries([...services].map(([name, urls]) => [name, { instances: urls, strategy: 'round-robin' as const }])),
  });
  const clients = createClients(balancer);
  try {
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        clients.flatMap((client) =>
          [...services.keys()].map((service) => client.get(`http://${service}/warm-up`, AbortSignal.timeout(2_000)).catch(() => undefined)),
        ),
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await balancer.close();
  }
}
