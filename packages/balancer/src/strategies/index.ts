/**
 * The built-in strategies, by name and by factory. Nothing is registered on import: names map
 * to factories here, and a user may pass any object implementing `Strategy` instead.
 */
import { leastRequest } from './least-request.js';
import { maglev } from './maglev.js';
import { peakEwma } from './peak-ewma.js';
import { randomStrategy } from './random.js';
import { ringHash } from './ring-hash.js';
import { roundRobin } from './round-robin.js';
import type { Strategy, StrategyName } from './strategy.js';
import { weightedLeastLoad } from './weighted-least-load.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

export { leastRequest, maglev, peakEwma, randomStrategy, ringHash, roundRobin, weightedLeastLoad, weightedRoundRobin };
export type { LeastRequestConfig, LeastRequestOptions } from './least-request.js';
export type { MaglevConfig, MaglevOptions } from './maglev.js';
export type { PeakEwmaConfig, PeakEwmaOptions } from './peak-ewma.js';
export type { RingHashConfig, RingHashOptions } from './ring-hash.js';
export type { WeightedLeastLoadConfig, WeightedLeastLoadOptions } from './weighted-least-load.js';

const FACTORIES: Readonly<Record<StrategyName, () => Strategy>> = Object.freeze({
  'round-robin': roundRobin,
  'weighted-round-robin': weightedRoundRobin,
  random: randomStrategy,
  'least-request': () => leastRequest(),
  'peak-ewma': () => peakEwma(),
  'weighted-least-load': () => weightedLeastLoad(),
  'ring-hash': () => ringHash(),
  maglev: () => maglev(),
});

/** The names of the built-in strategies, in the order they are documented. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(FACTORIES) as StrategyName[]);

/**
 * A new instance of the built-in strategy `name` with default options. Each call returns a
 * fresh object (strategies such as peak-ewma keep per-service state through endpoint slots).
 * Throws a `TypeError` for an unknown name.
 */
export function createStrategy(name: StrategyName): Strategy {
  const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
  if (factory === undefined) {
    throw new TypeError(`unknown strategy ${JSON.stringify(name)}; expected one of ${Object.keys(FACTORIES).join(', ')}`);
  }
  return factory();
}

/** True for an object with a string `name` and a `build` function (a user's own strategy too). */
export function isStrategy(value: unknown): value is Strategy {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; build?: unknown };
  return typeof candidate.name === 'string' && typeof candidate.build === 'function';
}
