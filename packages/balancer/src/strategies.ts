/**
 * @datapunk/balancer/strategies: the built-in strategies as factories, for options other than
 * the defaults (`strategy: peakEwma({ decayMs: 5_000 })`; a name such as `'peak-ewma'` gives the
 * defaults), and what a strategy of your own implements (`Strategy`, whose `build` returns a
 * `Picker` over `StrategyEndpoint`s, told about finished attempts through `StrategySample`s, and
 * about the load an instance reports through `LoadReport`s).
 */
export { leastRequest, maglev, peakEwma, randomStrategy, ringHash, roundRobin, weightedLeastLoad, weightedRoundRobin } from './strategies/index.js';
export type { LeastRequestOptions, MaglevOptions, PeakEwmaOptions, RingHashOptions, WeightedLeastLoadOptions } from './strategies/index.js';
export type { LoadReport } from './load/load-report.js';
export type { PickContext, Picker, Strategy, StrategyEndpoint, StrategyName, StrategySample } from './strategies/strategy.js';
