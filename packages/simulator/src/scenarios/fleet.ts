import { defineScenario } from '../scenario.js';

/**
 * Scale: 1,000 clients x 1,000 instances for 60 s, 20,000 requests per second in all, health
 * checks every 5 s, deterministic subsets of 30, and a few faults so there is something to see.
 * A command to run (`pnpm simulate fleet-1000x1000`), not a CI test.
 */
export const fleet1000 = defineScenario({
  name: 'fleet-1000x1000',
  description: '1,000 clients x 1,000 instances, 60 s, 20 req/s per client, subsets of 30, health checks; 10 instances slow, 10 crash.',
  durationS: 60,
  clients: { count: 1_000, ratePerS: 20 },
  fleet: { count: 1_000, workers: 8, queue: 64 },
  subset: { size: 30 },
  healthCheck: { intervalMs: 5_000, timeoutMs: 1_000 },
  faults: [
    { kind: 'slow', instances: { from: 0, to: 10 }, fromS: 15, toS: 45, factor: 4 },
    { kind: 'crash', instances: { from: 10, to: 20 }, fromS: 20, toS: 40 },
  ],
});

/** The same fleet without subsetting: every client talks to every instance (a million pairs). */
export const fleet1000Full = defineScenario({
  ...fleet1000,
  name: 'fleet-1000x1000-full',
  description: '1,000 clients x 1,000 instances without subsetting (every client holds and health-checks every instance).',
  subset: undefined,
});
