/**
 * Arbitraries of a service's option sections (`healthCheck`, `outlierDetection`, `retry`,
 * `hedge`, `limits`), strict or edgy as the kit they are built with; `options.test-helpers.ts`
 * puts them into services.
 */
import fc from 'fast-check';
import { secretArb, weird, type ValueKit } from './options-values.test-helpers.js';

export function sectionArbitraries(strict: boolean, kit: ValueKit) {
  const { pick, or, field, section, either, ms, positiveMs, percent, int, real } = kit;
  /** Header values: plain, or a bearer token (a secret), in edgy mode with characters Node refuses. */
  const headerValue = fc.oneof(
    fc.constantFrom('yes', 'caf\u00e9', ''),
    fc.tuple(secretArb, pick(['', '\t'], ['\n', '\r\nx: y', '\u0100', '\u0000'])).map(([s, end]) => `Bearer ${s}${end}`),
    ...(strict ? [] : [weird]),
  );
  const statusRange = fc.tuple(fc.integer({ min: 100, max: 599 }), fc.integer({ min: 100, max: 599 })).map(([a, b]) => (strict ? [Math.min(a, b), Math.max(a, b)] : [a, b]));
  const healthCheck = either(
    fc.constant(false),
    section({
      path: field(pick(['/health', '/h\u00e9', '/a?b=1', '/'], ['/he alth', '/h\u0100', 'health', '/\u0000', ''])),
      method: field(pick(['GET', 'head', 'M-SEARCH', 'options'], ['CONNECT', 'GET /x', '', 'G\u00e9T'])),
      headers: field(fc.dictionary(pick(['authorization', 'x-check', 'Host'], ['x y', '', 'caf\u00e9', 'a:b']), headerValue, { maxKeys: 3 })),
      expectedStatuses: field(fc.array(fc.oneof(int(100, 599), statusRange), { minLength: strict ? 1 : 0, maxLength: 3 })),
      intervalMs: field(positiveMs),
      unhealthyIntervalMs: field(positiveMs),
      timeoutMs: field(positiveMs),
      jitterPercent: field(percent),
      unhealthyThreshold: field(int(1, 1_000)),
      healthyThreshold: field(int(1, 1_000)),
      maxBodyBytes: field(int(0, 16 * 1024 * 1024)),
      maxConcurrent: field(int(1, 10_000)),
      unejectOnPass: field(fc.boolean()),
      initialState: field(pick(['healthy', 'unhealthy'], ['sick'])),
      check: field(fc.constant(() => Promise.resolve())),
    }),
  );

  const detector = either(fc.constant(false), section({ threshold: field(int(1, 1_000_000)), enforcingPercent: field(percent) }));
  const outlierDetection = either(
    fc.constant(false),
    section({
      consecutiveFailures: field(detector),
      consecutiveGatewayFailures: field(detector),
      successRate: field(either(fc.constant(false), section({ minimumHosts: field(int(1, 100_000)), requestVolume: field(int(1, 1e9)), stdevFactor: field(real(0, 100)), enforcingPercent: field(percent) }))),
      failurePercentage: field(either(fc.constant(false), section({ threshold: field(percent), minimumHosts: field(int(1, 100_000)), requestVolume: field(int(1, 1e9)), enforcingPercent: field(percent) }))),
      intervalMs: field(positiveMs),
      // Strict: base at most the default maximum, maximum at least the default base.
      baseEjectionMs: field(strict ? fc.integer({ min: 1, max: 30_000 }) : positiveMs),
      maxEjectionMs: field(strict ? fc.integer({ min: 300_000, max: 2 ** 31 - 1 }) : positiveMs),
      ejectionJitterMs: field(ms),
      maxEjectionPercent: field(percent),
    }),
  );

  const retry = either(
    fc.constant(false),
    section({
      maxRetries: field(int(0, 10)),
      retryOnStatuses: field(fc.array(int(100, 599), { maxLength: 3 })),
      retryNonIdempotent: field(fc.boolean()),
      backoffBaseMs: field(strict ? fc.integer({ min: 0, max: 250 }) : ms),
      backoffMaxMs: field(strict ? fc.integer({ min: 250, max: 2 ** 31 - 1 }) : ms),
      retryAfterMaxMs: field(ms),
      perAttemptTimeoutMs: field(fc.oneof(positiveMs, fc.constantFrom(0, false))),
      // Only beside an absent perAttemptTimeoutMs is it valid: generated where invalid options are.
      ...(strict
        ? {}
        : {
            learnedTimeout: field(
              section({ percentile: field(or(fc.integer({ min: 50, max: 100 }), fc.constantFrom(0, 49))), factor: field(or(fc.integer({ min: 1, max: 100 }), fc.constant(0.5))), minMs: field(positiveMs), maxMs: field(positiveMs), initialMs: field(positiveMs), minSamples: field(int(1, 1_000)) }),
            ),
          }),
      bufferBodyBytes: field(int(0, 64 * 1024 * 1024)),
      budget: field(either(fc.constant(false), section({ percent: field(percent), minRetriesPerSecond: field(or(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(-1))), windowMs: field(int(1_000, 600_000)) }))),
    }),
  );

  /** Strict: a fixed delay or a percentile, never both (both is an error). */
  const hedgeMode = strict
    ? fc.oneof(fc.record({ delayMs: positiveMs }, { requiredKeys: [] }), fc.record({ maxExtraLoad: real(0, 0.5) }, { requiredKeys: [] }))
    : section({ delayMs: field(positiveMs), maxExtraLoad: field(real(0, 0.5)) });
  const hedge = either(
    fc.boolean(),
    fc
      .tuple(
        hedgeMode,
        section({
          maxAttempts: field(int(2, 5)),
          minDelayMs: field(ms),
          // Strict: the refresh at most the window.
          windowMs: field(strict ? fc.integer({ min: 30_000, max: 600_000 }) : int(1_000, 600_000)),
          refreshMs: field(strict ? fc.integer({ min: 100, max: 30_000 }) : int(100, 600_000)),
          budget: field(either(fc.constant(false), section({ percent: field(percent), minHedgesPerSecond: field(real(0, 1e6)), windowMs: field(int(1_000, 600_000)) }))),
        }),
      )
      .map(([a, b]) => ({ ...(a as object), ...b })),
  );

  const limits = either(
    fc.constant(false),
    section({ maxRequests: field(int(1, 100_000)), maxPendingRequests: field(int(1, 100_000)), maxRetries: field(int(0, 100)), maxRequestsPerInstance: field(int(1, 10_000)) }),
  );

  return { healthCheck, outlierDetection, retry, hedge, limits };
}
