import { defineScenario, type Scenario } from '../scenario.js';

/**
 * The capacity bench's heterogeneous fleet on the virtual clock (issue 12): 8 instances with 2
 * workers each (queue 64), one three times slower throughout; 8 client balancers, 900 req/s in
 * all (about 60% of the fleet's capacity). The slow instance's share decides the callers' p99:
 * at 30 ms median, 1% of the traffic there is most of the slowest 1%. The `-fast7` variant drops
 * the slow instance: no strategy gets below its p99, the floor that independent clients reach.
 */
const base = {
  durationS: 20,
  clients: { count: 8, ratePerS: 112.5 },
  highlight: [7],
} satisfies Partial<Scenario>;
const fast = { workers: 2, queue: 64, serviceMs: { kind: 'lognormal', medianMs: 10, sigma: 0.25 } } as const;

export const heterogeneous = defineScenario({
  ...base,
  name: 'heterogeneous',
  description: '8 instances x 2 workers, #7 3x slower throughout; 8 clients x 112.5 req/s; default strategy (peak-ewma).',
  fleet: [{ count: 7, ...fast }, { count: 1, ...fast, serviceMs: { kind: 'lognormal', medianMs: 30, sigma: 0.25 } }],
});

export const heterogeneousLeastRequest = defineScenario({
  ...heterogeneous,
  name: 'heterogeneous-least-request',
  description: 'The heterogeneous fleet with least-request (P2C on requests in flight).',
  service: { strategy: 'least-request' },
});

export const heterogeneousFast7 = defineScenario({
  ...base,
  name: 'heterogeneous-fast7',
  description: 'The heterogeneous fleet without its slow instance: 7 x 2 workers, the same 900 req/s; default strategy.',
  fleet: { count: 7, ...fast },
  highlight: [0],
});
