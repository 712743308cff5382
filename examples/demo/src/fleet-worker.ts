/**
 * The fleet's own thread. The testkit servers run here, not on the clients' event loop, as real
 * instances would run elsewhere: the clients' timers (per-attempt timeouts, deadlines) are then
 * not delayed by the servers' work, and on a busy machine the demo gets two threads' share of
 * CPU. The main thread drives it with messages (see fleet.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { seededRandom, startFleet, type Fleet } from '@datapunk/testkit';
import { applyFault, baseBehavior, FAULT_SCRIPT, loadReporting, SERVICES } from './fleet-script.js';
import type { FleetReady, ToFleet } from './fleet.js';

const port = parentPort;
if (!port) throw new Error('fleet-worker.ts runs as a worker thread');
const { seed } = workerData as { seed: number };

const fleets = new Map<string, Fleet>();
try {
  for (const [i, { name, count }] of SERVICES.entries()) {
    fleets.set(name, await startFleet({ count, namePrefix: name, host: '127.0.0.1', random: seededRandom(seed + i), behavior: baseBehavior(name), ...loadReporting(name) }));
  }
} catch (error) {
  await Promise.all([...fleets.values()].map((f) => f.close({ graceMs: 0 })));
  throw error;
}

const ready: FleetReady = {
  type: 'ready',
  services: [...fleets].map(([name, f]) => ({ name, instances: f.servers.map((s) => ({ id: s.id, url: s.url })) })),
};
port.postMessage(ready);

port.on('message', (message: ToFleet) => {
  if (message.type === 'fault') {
    const step = FAULT_SCRIPT[message.step]!;
    const server = fleets.get(step.service)!.get(step.instance);
    void applyFault(server, step, message.phase).then(
      () => port.postMessage({ type: 'applied', id: message.id }),
      (error: unknown) => port.postMessage({ type: 'applied', id: message.id, error: String(error) }),
    );
  } else if (message.type === 'close') {
    void Promise.all([...fleets.values()].map((f) => f.close({ graceMs: 200 }))).then(() => {
      port.postMessage({ type: 'closed' });
      port.close();
    });
  }
});
