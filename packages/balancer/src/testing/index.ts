/**
 * Test helpers for code built on `@datapunk/balancer`: a deterministic runtime and seeded
 * randomness. Import from `@datapunk/balancer/testing`.
 */
export { createFakeRuntime } from './fake-runtime.js';
export type { FakeRuntime, FakeRuntimeOptions } from './fake-runtime.js';
export { seededRandom } from './random.js';
