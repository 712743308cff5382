import { defineScenario, type Scenario } from '../scenario.js';

/**
 * Herds: one instance of 12 restarts (down from 10 s to 12 s) and a fresh one joins at 30 s; the
 * same total load (4,000 req/s, half of the fleet's capacity of 12 x 8 workers / 10 ms) comes
 * from 100 clients or from 1,000. Twelve instances is the default strategy's full-scan regime
 * (peak-ewma compares every instance up to 16): when one instance looks cheapest to everyone, do
 * all clients move to it at once? With fewer requests per client, each client knows less.
 */
const base = {
  durationS: 45,
  fleet: { count: 12, workers: 8, queue: 64 },
  healthCheck: { intervalMs: 2_000 },
  faults: [{ kind: 'crash', instances: 0, fromS: 10, toS: 12 }],
  events: [{ kind: 'add', atS: 30, group: { count: 1, workers: 8, queue: 64 } }],
  highlight: [0, 1, 12],
} satisfies Partial<Scenario>;

export const herd100 = defineScenario({
  ...base,
  name: 'herd-100',
  description: '100 clients x 40 req/s over 12 instances; one restarts at 10-12 s, one joins at 30 s; default strategy.',
  clients: { count: 100, ratePerS: 40 },
});

export const herd1000 = defineScenario({
  ...base,
  name: 'herd-1000',
  description: '1,000 clients x 4 req/s over 12 instances (the same total load); one restarts at 10-12 s, one joins at 30 s.',
  clients: { count: 1_000, ratePerS: 4 },
});
