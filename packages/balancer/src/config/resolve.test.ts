import { describe, expect, it } from 'vitest';
import { BalancerConfigError } from '../errors.js';
import { resolveBalancerConfig } from './resolve.js';

const ok = { instances: ['http://127.0.0.1:8081'] };
const svc = (extra: Record<string, unknown>) => ({ services: { orders: { ...ok, ...extra } } });

/** [name, options, path expected in the message, text expected in the message] */
const BAD: [string, unknown, string, string][] = [
  ['options not an object', 42, 'options', 'expected an object, got 42'],
  ['no services', {}, 'services', 'at least one service'],
  ['empty services', { services: {} }, 'services', 'at least one service'],
  ['unknown top-level key', { services: { orders: ok }, metrix: {} }, 'options.metrix', 'unknown option'],
  ['bad service name', { services: { 'Orders_1': ok } }, 'services.Orders_1', 'host name'],
  ['service not an object', { services: { orders: 'x' } }, 'services.orders', 'expected an object'],
  ['no instances nor discovery', { services: { orders: {} } }, 'services.orders.instances', 'expected a list of instances'],
  ['instances not an array', svc({ instances: 'http://a:1' }), 'services.orders.instances', 'expected an array'],
  ['instance not a URL', svc({ instances: ['not a url'] }), 'services.orders.instances[0]', 'expected an origin'],
  ['instance with path', svc({ instances: ['http://127.0.0.1:8081/api'] }), 'services.orders.instances[0]', 'without path'],
  ['instance port 0', svc({ instances: ['http://127.0.0.1:0'] }), 'services.orders.instances[0]', 'port from 1 to 65535'],
  ['instance ftp', svc({ instances: ['ftp://127.0.0.1'] }), 'services.orders.instances[0]', 'http: or https:'],
  ['weight 0', svc({ instances: [{ url: 'http://a:1', weight: 0 }] }), 'services.orders.instances[0].weight', 'got 0'],
  ['weight fractional', svc({ instances: [{ url: 'http://a:1', weight: 1.5 }] }), 'services.orders.instances[0].weight', 'got 1.5'],
  ['duplicate instance', svc({ instances: ['http://a:1', 'http://A:1/'] }), 'services.orders.instances[1]', 'duplicate instance http://a:1'],
  ['instance unknown key', svc({ instances: [{ url: 'http://a:1', wieght: 2 }] }), 'services.orders.instances[0].wieght', 'unknown option'],
  ['unknown strategy', svc({ strategy: 'fastest' }), 'services.orders.strategy', 'got "fastest"'],
  ['strategy object without build', svc({ strategy: { name: 'x' } }), 'services.orders.strategy', 'build()'],
  ['negative health interval', svc({ healthCheck: { intervalMs: -5 } }), 'services.orders.healthCheck.intervalMs', 'expected a positive integer, got -5'],
  ['zero health interval', svc({ healthCheck: { intervalMs: 0 } }), 'services.orders.healthCheck.intervalMs', 'got 0'],
  ['health path without slash', svc({ healthCheck: { path: 'health' } }), 'services.orders.healthCheck.path', 'starting with "/"'],
  ['health timeout a string', svc({ healthCheck: { timeoutMs: '1s' } }), 'services.orders.healthCheck.timeoutMs', 'got "1s"'],
  ['health expected status 700', svc({ healthCheck: { expectedStatuses: [700] } }), 'services.orders.healthCheck.expectedStatuses[0]', 'got 700'],
  ['health method with a space', svc({ healthCheck: { method: 'GET /x' } }), 'services.orders.healthCheck.method', 'HTTP method token'],
  ['health check not a function', svc({ healthCheck: { check: 'tcp' } }), 'services.orders.healthCheck.check', 'expected a function'],
  ['health threshold 0', svc({ healthCheck: { healthyThreshold: 0 } }), 'services.orders.healthCheck.healthyThreshold', 'got 0'],
  ['health unknown key', svc({ healthCheck: { intervalMS: 10 } }), 'services.orders.healthCheck.intervalMS', 'unknown option'],
  ['outlier threshold 0', svc({ outlierDetection: { consecutiveFailures: { threshold: 0 } } }), 'services.orders.outlierDetection.consecutiveFailures.threshold', 'got 0'],
  ['outlier enforcing 150', svc({ outlierDetection: { consecutiveFailures: { enforcingPercent: 150 } } }), 'services.orders.outlierDetection.consecutiveFailures.enforcingPercent', 'got 150'],
  ['max ejection below base', svc({ outlierDetection: { baseEjectionMs: 10_000, maxEjectionMs: 5_000 } }), 'services.orders.outlierDetection.maxEjectionMs', 'at least baseEjectionMs'],
  ['max ejection percent -1', svc({ outlierDetection: { maxEjectionPercent: -1 } }), 'services.orders.outlierDetection.maxEjectionPercent', 'got -1'],
  ['success rate stdev 0', svc({ outlierDetection: { successRate: { stdevFactor: 0 } } }), 'services.orders.outlierDetection.successRate.stdevFactor', 'got 0'],
  ['panic threshold 101', svc({ panic: { thresholdPercent: 101 } }), 'services.orders.panic.thresholdPercent', 'got 101'],
  ['panic mode unknown', svc({ panic: { mode: 'explode' } }), 'services.orders.panic.mode', '"fail-fast"'],
  ['slow start aggression 0', svc({ slowStart: { windowMs: 1000, aggression: 0 } }), 'services.orders.slowStart.aggression', 'got 0'],
  ['slow start min weight 0', svc({ slowStart: { minWeightPercent: 0 } }), 'services.orders.slowStart.minWeightPercent', 'got 0'],
  ['retries negative', svc({ retry: { maxRetries: -1 } }), 'services.orders.retry.maxRetries', 'got -1'],
  ['retry status 999', svc({ retry: { retryOnStatuses: [503, 999] } }), 'services.orders.retry.retryOnStatuses[1]', 'got 999'],
  ['buffer body bytes negative', svc({ retry: { bufferBodyBytes: -1 } }), 'services.orders.retry.bufferBodyBytes', 'got -1'],
  ['per-attempt timeout negative', svc({ retry: { perAttemptTimeoutMs: -5 } }), 'services.orders.retry.perAttemptTimeoutMs', 'positive integer, got -5'],
  ['per-attempt timeout true', svc({ retry: { perAttemptTimeoutMs: true } }), 'services.orders.retry.perAttemptTimeoutMs', '0 or false, got true'],
  ['learned timeout beside a fixed one', svc({ retry: { perAttemptTimeoutMs: 500, learnedTimeout: { factor: 2 } } }), 'services.orders.retry.learnedTimeout', 'only when perAttemptTimeoutMs is not configured'],
  ['learned timeout ceiling below floor', svc({ retry: { learnedTimeout: { minMs: 2_000, maxMs: 1_000 } } }), 'services.orders.retry.learnedTimeout.maxMs', 'at least minMs (2000)'],
  ['learned timeout percentile 20', svc({ retry: { learnedTimeout: { percentile: 20 } } }), 'services.orders.retry.learnedTimeout.percentile', 'got 20'],
  ['learned timeout factor below 1', svc({ retry: { learnedTimeout: { factor: 0.5 } } }), 'services.orders.retry.learnedTimeout.factor', 'got 0.5'],
  ['learned timeout min samples 0', svc({ retry: { learnedTimeout: { minSamples: 0 } } }), 'services.orders.retry.learnedTimeout.minSamples', 'got 0'],
  ['limits maxRequests 0', svc({ limits: { maxRequests: 0 } }), 'services.orders.limits.maxRequests', 'got 0'],
  ['limits maxRetries negative', svc({ limits: { maxRetries: -1 } }), 'services.orders.limits.maxRetries', 'got -1'],
  ['limits per instance fractional', svc({ limits: { maxRequestsPerInstance: 1.5 } }), 'services.orders.limits.maxRequestsPerInstance', 'got 1.5'],
  ['limits pending a string', svc({ limits: { maxPendingRequests: '10' } }), 'services.orders.limits.maxPendingRequests', 'got "10"'],
  ['limits unknown key', svc({ limits: { maxConnections: 10 } }), 'services.orders.limits.maxConnections', 'unknown option'],
  ['learned timeout unknown key', svc({ retry: { learnedTimeout: { p99: 1 } } }), 'services.orders.retry.learnedTimeout.p99', 'unknown option'],
  ['backoff max below base', svc({ retry: { backoffBaseMs: 100, backoffMaxMs: 50 } }), 'services.orders.retry.backoffMaxMs', 'at least backoffBaseMs'],
  ['budget percent NaN', svc({ retry: { budget: { percent: Number.NaN } } }), 'services.orders.retry.budget.percent', 'got NaN'],
  ['retryNonIdempotent a string', svc({ retry: { retryNonIdempotent: 'yes' } }), 'services.orders.retry.retryNonIdempotent', 'true or false'],
  ['drain timeout negative', svc({ drainTimeoutMs: -1 }), 'services.orders.drainTimeoutMs', 'got -1'],
  ['drain timeout beyond timers', svc({ drainTimeoutMs: 2 ** 31 }), 'services.orders.drainTimeoutMs', 'at most 2147483647 ms'],
  ['host header unknown', svc({ hostHeader: 'both' }), 'services.orders.hostHeader', '"instance"'],
  ['hash key header invalid', svc({ hashKey: { header: 'x user' } }), 'services.orders.hashKey.header', 'header name'],
  ['instances and discovery', svc({ discovery: { kind: 'x', start() {}, close() {} } }), 'services.orders', 'not both'],
  ['discovery without start', { services: { orders: { discovery: { kind: 'x' } } } }, 'services.orders.discovery', 'start() and close()'],
  ['logger missing warn', { services: { orders: ok }, logger: { info() {}, error() {}, debug() {} } }, 'logger.warn', 'pino-compatible'],
  ['metrics.perInstance a number', { services: { orders: ok }, metrics: { perInstance: 1 } }, 'metrics.perInstance', 'true or false'],
];

describe('resolveBalancerConfig rejects bad options, naming the field', () => {
  it(`has at least 25 distinct cases (${BAD.length})`, () => {
    expect(new Set(BAD.map(([, , path]) => path)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD)('%s', (_name, options, path, text) => {
    let error: unknown;
    try {
      resolveBalancerConfig(options);
    } catch (e) {
      error = e;
    }
    expect(error instanceof BalancerConfigError).toBe(true);
    const e = error as BalancerConfigError;
    expect(e.code).toBe('ERR_BALANCER_CONFIG');
    const issue = e.issues.find((i) => i.path === path);
    expect(issue, `issues were: ${JSON.stringify(e.issues)}`).toBeDefined();
    expect(issue!.message).toContain(text);
    expect(e.message).toContain(`${path}: `);
  });

  it('lists every problem at once', () => {
    expect(() =>
      resolveBalancerConfig(svc({ drainTimeoutMs: -1, retry: { maxRetries: -1 }, healthCheck: { intervalMs: -5 } })),
    ).toThrow(/3 problems/);
    try {
      resolveBalancerConfig(svc({ drainTimeoutMs: -1, retry: { maxRetries: -1 }, healthCheck: { intervalMs: -5 } }));
    } catch (e) {
      expect((e as BalancerConfigError).issues.map((i) => i.path).sort()).toEqual([
        'services.orders.drainTimeoutMs',
        'services.orders.healthCheck.intervalMs',
        'services.orders.retry.maxRetries',
      ]);
    }
  });
});

describe('resolveBalancerConfig resolves defaults', () => {
  it('zero means zero, not the default', () => {
    const c = resolveBalancerConfig(
      svc({
        drainTimeoutMs: 0,
        retry: { maxRetries: 0, backoffBaseMs: 0, backoffMaxMs: 0 },
        panic: { thresholdPercent: 0 },
        outlierDetection: { ejectionJitterMs: 0, maxEjectionPercent: 0 },
      }),
    ).services.get('orders')!;
    expect(c.drainTimeoutMs).toBe(0);
    expect(c.retry.maxRetries).toBe(0);
    expect(c.retry.backoffBaseMs).toBe(0);
    expect(c.panic.thresholdPercent).toBe(0);
    expect(c.outlierDetection!.maxEjectionPercent).toBe(0);
  });

  it('applies documented defaults (Envoy where it has one)', () => {
    const c = resolveBalancerConfig(svc({})).services.get('orders')!;
    expect(c.strategy.name).toBe('peak-ewma');
    expect(c.panic).toEqual({ thresholdPercent: 50, mode: 'balance-all' });
    expect(c.outlierDetection).toMatchObject({
      consecutiveFailures: { threshold: 5, enforcingPercent: 100 },
      consecutiveGatewayFailures: { threshold: 5, enforcingPercent: 0 },
      intervalMs: 10_000,
      baseEjectionMs: 30_000,
      maxEjectionMs: 300_000,
      maxEjectionPercent: 33,
    });
    expect(c.retry.maxRetries).toBe(1);
    expect([...c.retry.retryOnStatuses]).toEqual([502, 503, 504]);
    expect(c.retry.budget).toEqual({ percent: 20, minRetriesPerSecond: 10, windowMs: 10_000 });
    expect(c.retry.perAttemptTimeoutMs).toBeUndefined();
    expect(c.retry.learnedTimeout).toMatchObject({ percentile: 99, factor: 3, minMs: 1_000, maxMs: 10_000, initialMs: 10_000, minSamples: 100 });
    expect(c.limits).toEqual({ maxRequests: 1_024, maxPendingRequests: 1_024, maxRetries: 3, maxRequestsPerInstance: Infinity });
    expect(c.healthCheck).toBeUndefined();
    expect(c.slowStart.windowMs).toBe(0);
    expect(c.drainTimeoutMs).toBe(30_000);
  });

  it('the attempt deadline: a configured number wins; 0 and false turn it off; absent, it is learned', () => {
    const retryOf = (retry: unknown) => resolveBalancerConfig(svc({ retry })).services.get('orders')!.retry;
    expect(retryOf({ perAttemptTimeoutMs: 250 })).toMatchObject({ perAttemptTimeoutMs: 250, learnedTimeout: undefined });
    expect(retryOf({ perAttemptTimeoutMs: 0 })).toMatchObject({ perAttemptTimeoutMs: undefined, learnedTimeout: undefined });
    expect(retryOf({ perAttemptTimeoutMs: false })).toMatchObject({ perAttemptTimeoutMs: undefined, learnedTimeout: undefined });
    expect(retryOf(false)).toMatchObject({ perAttemptTimeoutMs: undefined, learnedTimeout: undefined });
    expect(retryOf({ learnedTimeout: { factor: 2, maxMs: 5_000 } }).learnedTimeout).toMatchObject({ factor: 2, minMs: 1_000, maxMs: 5_000, initialMs: 5_000 });
  });

  it('health check defaults when enabled', () => {
    const c = resolveBalancerConfig(svc({ healthCheck: {} })).services.get('orders')!;
    expect(c.healthCheck).toMatchObject({
      path: '/health',
      intervalMs: 5_000,
      unhealthyIntervalMs: 5_000,
      timeoutMs: 1_000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      expectedStatuses: [[200, 299]],
    });
  });

  it('freezes the resolved config', () => {
    const c = resolveBalancerConfig(svc({ healthCheck: {} })).services.get('orders')!;
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.healthCheck)).toBe(true);
    expect(Object.isFrozen(c.instances![0])).toBe(true);
  });

  it('normalises instance origins', () => {
    const c = resolveBalancerConfig(svc({ instances: ['http://LOCALHOST:80', 'https://[::1]:8443/'] })).services.get('orders')!;
    expect(c.instances!.map((i) => i.id)).toEqual(['http://localhost', 'https://[::1]:8443']);
    expect(c.instances!.map((i) => i.port)).toEqual([80, 8443]);
  });

  it('BalancerConfigError is an instance across copies (brand, not identity)', () => {
    const foreign = Object.assign(new Error('x'), { code: 'ERR_BALANCER_CONFIG' });
    Object.defineProperty(foreign, Symbol.for('@datapunk/balancer/error'), { value: true });
    expect(foreign instanceof BalancerConfigError).toBe(true);
    expect(Object.assign(new Error('x'), { code: 'ERR_BALANCER_CONFIG' }) instanceof BalancerConfigError).toBe(false);
  });
});
