import { defineScenario } from '../scenario.js';

/** One of ten instances turns five times slower for 20 s: how fast does traffic leave and return? */
export default defineScenario({
  name: 'slow-instance',
  description: 'One instance of ten becomes 5x slower from 10 s to 30 s; 20 clients at 50 req/s each, default strategy (peak-ewma).',
  durationS: 40,
  clients: { count: 20, ratePerS: 50 },
  fleet: { count: 10, workers: 16, queue: 64, serviceMs: { kind: 'lognormal', medianMs: 10, sigma: 0.4 } },
  faults: [{ kind: 'slow', instances: 0, fromS: 10, toS: 30, factor: 5 }],
});
