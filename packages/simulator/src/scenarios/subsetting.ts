import { defineScenario } from '../scenario.js';

/**
 * The SRE book's example (ch. 20): 300 clients, 300 instances, subsets of 30. Deterministic
 * subsetting gives every instance the same number of clients (+-1); `subsetting-random` is the
 * baseline beside it. At 20 s, 10% of the instances leave: how much of each subset changes?
 */
export const subsetting = defineScenario({
  name: 'subsetting',
  description: '300 clients x 300 instances, deterministic subsets of 30 (core `subset` option); 30 instances leave at 20 s.',
  durationS: 30,
  clients: { count: 300, ratePerS: 5 },
  fleet: { count: 300, workers: 8 },
  subset: { size: 30 },
  events: [{ kind: 'remove', atS: 20, instances: { sample: 30 } }],
  // Before the removal, and once every client has seen it (discovery delay up to 1 s).
  membershipAtS: [19, 25],
});

export const subsettingRandom = defineScenario({
  ...subsetting,
  name: 'subsetting-random',
  description: '300 clients x 300 instances, random subsets of 30 (each client keeps 30 instances of its own random ranking).',
  subset: { size: 30, mode: 'random' },
});
