/** The scenarios shipped with the simulator, by name (`pnpm simulate <name>`). */
import type { Scenario } from '../scenario.js';
import { fleet1000, fleet1000Full } from './fleet.js';
import slowInstance from './slow-instance.js';
import { subsetting, subsettingRandom } from './subsetting.js';
import { zoneLosesHalf, zones } from './zones.js';

const ALL: readonly Scenario[] = [slowInstance, subsetting, subsettingRandom, zones, zoneLosesHalf, fleet1000, fleet1000Full];

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze(Object.fromEntries(ALL.map((s) => [s.name, s])));
