import { defineScenario, type Scenario } from '../scenario.js';

/**
 * A full outage: from 10 s to 25 s every instance answers 503 (a bad config pushed everywhere).
 * Retries cannot help; the retry budget (20% of requests plus 10 per second per client) bounds
 * how much extra load they add. With 200 clients at 10 req/s each, the per-client floor of 10
 * retries per second is as large as the traffic itself.
 */
const base = {
  durationS: 40,
  fleet: { count: 20, workers: 8, queue: 64 },
  service: { retry: { maxRetries: 2 } },
  faults: [{ kind: 'errors', instances: 'all', fromS: 10, toS: 25, rate: 1 }],
  highlight: [0],
} satisfies Partial<Scenario>;

export const retryBudget = defineScenario({
  ...base,
  name: 'retry-budget',
  description: 'Full outage 10-25 s (every instance answers 503); 200 clients x 10 req/s, 2 retries allowed, default budget.',
  clients: { count: 200, ratePerS: 10 },
});

export const retryBudgetFewClients = defineScenario({
  ...base,
  name: 'retry-budget-few-clients',
  description: 'The same outage and total load from 10 clients x 200 req/s.',
  clients: { count: 10, ratePerS: 200 },
});

/** The proposal measured: a floor of 1 retry per second per client instead of 10. */
export const retryBudgetFloor1 = defineScenario({
  ...retryBudget,
  name: 'retry-budget-floor-1',
  description: 'The full outage with 200 clients, the budget floor lowered to 1 retry/s per client (minRetriesPerSecond: 1).',
  service: { retry: { maxRetries: 2, budget: { minRetriesPerSecond: 1 } } },
});
