import { defineScenario, type Scenario } from '../scenario.js';

/**
 * A rolling deploy: 30 instances replaced five at a time, one batch every 6 s; each new instance
 * (a new address) is cold for 20 s: its first requests take 6x as long, easing to 1x. 100
 * clients at 40 req/s each (4,000 req/s; capacity 30 x 8 workers / 10 ms = 24,000 req/s).
 * `deploy` runs the defaults; `deploy-slow-start` sets `slowStart.windowMs` to the warm-up.
 */
const base = {
  durationS: 60,
  clients: { count: 100, ratePerS: 40 },
  fleet: { count: 30, workers: 8, queue: 64 },
  events: [{ kind: 'deploy', atS: 10, batch: 5, intervalS: 6, startupS: 2, warmupS: 20, coldFactor: 6 }],
  highlight: [0, 1, 5, 29],
} satisfies Partial<Scenario>;

export const deploy = defineScenario({
  ...base,
  name: 'deploy',
  description: 'Rolling deploy of 30 instances (5 per batch every 6 s), new instances cold for 20 s (6x slower at first); defaults.',
});

export const deploySlowStart = defineScenario({
  ...base,
  name: 'deploy-slow-start',
  description: 'The same rolling deploy with slow start over the warm-up (slowStart.windowMs 20,000).',
  service: { slowStart: { windowMs: 20_000 } },
});

export const deployLeastRequestSlowStart = defineScenario({
  ...base,
  name: 'deploy-least-request-slow-start',
  description: 'The same rolling deploy with least-request and slow start over the warm-up (slow start scales weights, which least-request reads).',
  service: { strategy: 'least-request', slowStart: { windowMs: 20_000 } },
});

export const deployLeastRequest = defineScenario({
  ...base,
  name: 'deploy-least-request',
  description: 'The same rolling deploy with least-request and no slow start.',
  service: { strategy: 'least-request' },
});
