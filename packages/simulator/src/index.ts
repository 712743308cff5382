/**
 * @datapunk/simulator: the real @datapunk/balancer core on a virtual clock, many client balancers
 * against a simulated fleet with scripted faults. Explicit public surface.
 */
export { defineScenario } from './scenario.js';
export type {
  ClientGroup,
  ClientInfo,
  Fault,
  FleetEvent,
  InstanceGroup,
  InstanceSelector,
  Scenario,
  ScenarioServiceOptions,
  ServiceTime,
} from './scenario.js';
export { runScenario } from './run.js';
export type { RunOptions } from './run.js';
export type { SimResult, Spread } from './result.js';
export { Scheduler } from './scheduler.js';
