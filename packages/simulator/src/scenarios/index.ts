/** The scenarios shipped with the simulator, by name (`pnpm simulate <name>`). */
import type { Scenario } from '../scenario.js';
import { deploy, deployLeastRequest, deployLeastRequestSlowStart, deploySlowStart } from './deploy.js';
import { fleet1000, fleet1000Full } from './fleet.js';
import { herd100, herd1000 } from './herd.js';
import { heterogeneous, heterogeneousFast7, heterogeneousLeastRequest } from './heterogeneous.js';
import { retryBudget, retryBudgetFewClients, retryBudgetFloor1 } from './retry-budget.js';
import { sharedDependency, sharedDependencyRoundRobin } from './shared-dependency.js';
import slowInstance from './slow-instance.js';
import { subsetting, subsettingRandom } from './subsetting.js';
import { zoneLosesHalf, zones } from './zones.js';

const ALL: readonly Scenario[] = [
  slowInstance,
  subsetting,
  subsettingRandom,
  zones,
  zoneLosesHalf,
  deploy,
  deploySlowStart,
  deployLeastRequest,
  deployLeastRequestSlowStart,
  sharedDependency,
  sharedDependencyRoundRobin,
  herd100,
  herd1000,
  heterogeneous,
  heterogeneousLeastRequest,
  heterogeneousFast7,
  retryBudget,
  retryBudgetFewClients,
  retryBudgetFloor1,
  fleet1000,
  fleet1000Full,
];

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze(Object.fromEntries(ALL.map((s) => [s.name, s])));
