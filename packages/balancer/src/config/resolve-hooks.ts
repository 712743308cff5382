/**
 * The objects users pass in for the balancer to call: runtime, logger, meter provider. Each is
 * checked for the methods the balancer calls, so a wrong one is a `BalancerConfigError` naming
 * the missing method rather than a `TypeError` later. What those objects return (a child logger,
 * a meter) is checked where the balancer first asks for it (`balancer.ts`), with the same
 * messages from here.
 */
import type { Issues } from './validate.js';
import { show } from './validate.js';

const RUNTIME_METHODS = ['now', 'setTimeout', 'random', 'wallNow'] as const;
/** `child` is not needed: the balancer nests its fields itself (`namespacedLogger`). */
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;
/** What `metrics/meter.ts` and the metrics observer call on a meter. */
const METER_METHODS = [
  'createCounter',
  'createHistogram',
  'createObservableGauge',
  'createObservableUpDownCounter',
  'addBatchObservableCallback',
  'removeBatchObservableCallback',
] as const;

/** Method names of `methods` that `value` lacks (all of them when it is not an object). */
function missing(value: unknown, methods: readonly string[]): string[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return [...methods];
  return methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
}

function checkMethods(value: unknown, path: string, issues: Issues, methods: readonly string[], what: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) {
    issues.add(path, `expected ${what}, got ${show(value)}`);
    return;
  }
  for (const m of missing(value, methods)) issues.add(`${path}.${m}`, `expected a function (${what})`);
}

/** Checks `runtime`, `logger` and `meterProvider` of the root options. */
export function checkHooks(root: Record<string, unknown>, issues: Issues): void {
  checkMethods(root.runtime, 'runtime', issues, RUNTIME_METHODS, 'a Runtime with now(), setTimeout(), random() and wallNow()');
  checkMethods(root.logger, 'logger', issues, LOGGER_METHODS, 'a pino-compatible logger');
  checkMethods(root.meterProvider, 'meterProvider', issues, ['getMeter'], 'an OpenTelemetry MeterProvider');
}

/** Why what `meterProvider.getMeter()` returned cannot be used, or undefined when it can. */
export function meterProblem(meter: unknown): string | undefined {
  const lacks = missing(meter, METER_METHODS);
  if (lacks.length === 0) return undefined;
  if (typeof meter !== 'object' || meter === null) return `expected getMeter() to return an OpenTelemetry Meter, it returned ${show(meter)}`;
  return `expected getMeter() to return an OpenTelemetry Meter, it returned one without ${lacks.join(', ')}`;
}
