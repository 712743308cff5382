import { defineScenario, type Scenario } from '../scenario.js';

/**
 * Envoy's zone-aware routing with unequal zones. Callers: 30 clients in a, 20 in b, 10 in c
 * (50%, 33%, 17%). Instances: 12 in a, 6 in b, 3 in c (57%, 29%, 14%). Envoy's rule: callers in a
 * stay local (57% >= 50%); b keeps 29/33 = 86% local and spills the rest to a (the only zone
 * with residual capacity, 57 - 50 = 7 points); c keeps 14/17 = 86% and spills to a too.
 */
const base = {
  durationS: 40,
  clients: [
    { count: 30, zone: 'a', ratePerS: 20 },
    { count: 20, zone: 'b', ratePerS: 20 },
    { count: 10, zone: 'c', ratePerS: 20 },
  ],
  fleet: [
    { count: 12, zone: 'a' },
    { count: 6, zone: 'b' },
    { count: 3, zone: 'c' },
  ],
  network: { rttMs: 0.5, crossZoneRttMs: 1.5 },
  zoneAware: true,
} satisfies Partial<Scenario>;

export const zones = defineScenario({
  ...base,
  name: 'zones',
  description: 'Zone-aware routing, 3 zones with unequal instance counts (12/6/3) and callers (30/20/10 clients).',
});

/**
 * At 20 s zone a loses half its instances: a is now 6 of 15 (40% < its callers' 50%), so a keeps
 * 40/50 = 80% local and spills by residual capacity: b 40 - 33 = 6.7 points, c 20 - 17 = 3.3
 * points, i.e. two thirds of the spill to b and one third to c. b and c stay all local.
 */
export const zoneLosesHalf = defineScenario({
  ...base,
  name: 'zone-loses-half',
  description: 'Zone-aware routing; at 20 s zone a (12 of 21 instances) loses half of them.',
  events: [{ kind: 'remove', atS: 20, instances: { zone: 'a', count: 6 } }],
});
