/** The scenarios shipped with the simulator, by name (`pnpm simulate <name>`). */
import type { Scenario } from '../scenario.js';
import slowInstance from './slow-instance.js';
import { subsetting, subsettingRandom } from './subsetting.js';

const ALL: readonly Scenario[] = [slowInstance, subsetting, subsettingRandom];

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze(Object.fromEntries(ALL.map((s) => [s.name, s])));
