import type { RandomSource } from './random.js';

/**
 * A latency distribution, all values in milliseconds.
 * - `uniform`: every value in `[minMs, maxMs]` equally likely.
 * - `normal`: mean `meanMs`, standard deviation `sdMs`; samples below 0 are clamped to 0.
 * - `lognormal`: median `medianMs` and shape `sigma` (the standard deviation of the log);
 *   a long right tail, the usual shape of real service latency. `sigma` 0.5 gives p99 ~3.2x median.
 */
export type LatencyDistribution =
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly sdMs: number }
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number };

/** A fixed latency in milliseconds, or a distribution sampled once per request. */
export type LatencySpec = number | LatencyDistribution;

/** Draws one latency in milliseconds (never negative) from `spec` using `random`. */
export function sampleLatency(spec: LatencySpec, random: RandomSource): number {
  if (typeof spec === 'number') return spec;
  switch (spec.kind) {
    case 'uniform':
      return spec.minMs + random() * (spec.maxMs - spec.minMs);
    case 'normal':
      return Math.max(0, spec.meanMs + spec.sdMs * standardNormal(random));
    case 'lognormal':
      return spec.medianMs * Math.exp(spec.sigma * standardNormal(random));
  }
}

/** Box-Muller transform: one standard normal sample from two uniform draws. */
function standardNormal(random: RandomSource): number {
  const u1 = 1 - random(); // (0, 1]: keeps log finite
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Lists what is wrong with `spec`, each problem prefixed with `path`; empty when valid. */
export function latencyProblems(spec: unknown, path: string): string[] {
  if (typeof spec === 'number') return isMs(spec) ? [] : [`${path}: expected milliseconds >= 0, got ${String(spec)}`];
  if (typeof spec !== 'object' || spec === null) {
    return [`${path}: expected a number or a distribution object, got ${describe(spec)}`];
  }
  const d = spec as Record<string, unknown>;
  const fields = (names: readonly string[]): string[] =>
    names.filter((n) => !isMs(d[n])).map((n) => `${path}.${n}: expected a number >= 0, got ${describe(d[n])}`);
  switch (d['kind']) {
    case 'uniform': {
      const problems = fields(['minMs', 'maxMs']);
      if (problems.length === 0 && (d['minMs'] as number) > (d['maxMs'] as number)) {
        problems.push(`${path}: minMs (${String(d['minMs'])}) must not exceed maxMs (${String(d['maxMs'])})`);
      }
      return problems;
    }
    case 'normal':
      return fields(['meanMs', 'sdMs']);
    case 'lognormal':
      return fields(['medianMs', 'sigma']);
    default:
      return [`${path}.kind: expected 'uniform', 'normal' or 'lognormal', got ${describe(d['kind'])}`];
  }
}

function isMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
