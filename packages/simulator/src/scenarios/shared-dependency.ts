import { defineScenario, type Scenario } from '../scenario.js';

/**
 * A dependency every instance shares (a database) fails: from 10 s to 30 s every instance answers
 * half of its requests 503 in 1 ms; the health path does not check the database, so active checks
 * keep passing. No instance is worse than another: ejecting any of them only moves load to the
 * others. 50 clients x 20 instances, health checks every 2 s.
 */
const base = {
  durationS: 70,
  clients: { count: 50, ratePerS: 40 },
  fleet: { count: 20, workers: 8, queue: 64 },
  healthCheck: { intervalMs: 2_000 },
  faults: [{ kind: 'errors', instances: 'all', fromS: 10, toS: 30, rate: 0.5 }],
  highlight: [0, 1, 2],
} satisfies Partial<Scenario>;

export const sharedDependency = defineScenario({
  ...base,
  name: 'shared-dependency',
  description: 'Every instance answers 50% 503 from 10 s to 30 s (a shared database fails; health checks pass); default strategy and outlier detection.',
});

export const sharedDependencyRoundRobin = defineScenario({
  ...base,
  name: 'shared-dependency-round-robin',
  description: 'The shared-dependency failure with round robin (every instance sees its failures in a row).',
  service: { strategy: 'round-robin' },
});
