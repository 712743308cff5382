/**
 * fast-check arbitraries of `createBalancer` options, shaped to hit the edges: every field is
 * absent, valid, or the wrong thing (wrong type, NaN, Infinity, negative, huge, fractional,
 * empty, unknown keys), instance URLs carry credentials and tokens, health-check headers carry
 * tokens with characters Node refuses, and the objects the balancer calls (runtime, logger, meter
 * provider, discovery sources) are broken in the ways users break them.
 *
 * Every secret is `SECRET_MARK` followed by random characters, so a test can assert that no
 * text the balancer produced holds the mark. The arbitraries are built once; what must be fresh
 * per run (the fake runtime, the recording logger, the sources' logs) is made by `instantiate`.
 */
import { createNoopMeter } from '@opentelemetry/api';
import fc from 'fast-check';
import type { DiscoverySink, DiscoverySource } from '../discovery/source.js';
import type { Logger } from '../logger.js';
import { STRATEGY_NAMES } from '../strategies/index.js';
import { createFakeRuntime, type FakeRuntime } from '../testing/fake-runtime.js';

/** Every generated secret starts with this. */
export const SECRET_MARK = 'Zk7secret';

/** A generated secret. */
const secretArb = fc.integer({ min: 36 ** 3, max: 36 ** 7 }).map((n) => `${SECRET_MARK}${n.toString(36)}`);

/** Values of the wrong kind for almost any field. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 0.5, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, Number.MIN_VALUE, '', '5', 'NaN', ' ', [], {}),
  fc.constant(() => 1),
  fc.constant(Symbol('weird')),
  fc.constant(10n),
  fc.constant(new Date(0)),
  fc.constant(new Map()),
  fc.constant(Object.create(null) as object),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);

/** Stand-ins replaced by fresh objects in `instantiate`. */
const FAKE_RUNTIME = Symbol('fake runtime');
const RECORDING_LOGGER = Symbol('recording logger');

/** How often a generated source was started and closed. */
export interface SourceLog {
  started: number;
  closed: number;
}

/** A generated discovery source: a plan, turned into a fresh source by `instantiate`. */
interface SourcePlan {
  readonly plan: 'source';
  readonly kind: unknown;
  readonly updates: readonly (readonly [unknown, unknown])[];
  readonly throwWith: string | null;
}

const noop = (): void => {};

/**
 * The arbitraries, strict (every value valid, boundaries included: what must be accepted) or
 * edgy (every field may also be absent, wrong or just past a boundary, keys may be unknown).
 */
function build(strict: boolean) {
  /** Valid values, plus in edgy mode values just past the boundaries. */
  const pick = <T>(valid: readonly T[], edges: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...valid, ...(strict ? [] : edges));
  const or = <T>(valid: fc.Arbitrary<T>, edges: fc.Arbitrary<T>): fc.Arbitrary<T> => (strict ? valid : fc.oneof(valid, edges));
  /** A field: valid, or (edgy) something wrong; `section` decides whether it is there. */
  const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => (strict ? valid : fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: weird }));
  /** A record whose fields are each present or not, plus (edgy) sometimes an unknown key. */
  const section = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = []): fc.Arbitrary<Record<string, unknown>> => {
    const record = fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
    if (strict) return record;
    return fc.tuple(record, fc.option(fc.constantFrom('intervalMS', 'constructor', 'x y', '', 'maxRetrys'), { freq: 8 })).map(([r, extra]) => (extra === null ? r : { ...r, [extra]: 1 }));
  };
  const either = (...values: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> => fc.oneof(...values, ...(strict ? [] : [weird]));

  const ms = or(fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constant(2 ** 31 - 1)), fc.constantFrom(2 ** 31, -1, 0.5));
  const positiveMs = or(fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.constant(2 ** 31 - 1)), fc.constantFrom(0, 2 ** 31));
  const percent = or(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })), fc.constantFrom(101, -0.5));
  const int = (min: number, max: number) => or(fc.integer({ min, max }), fc.constantFrom(min - 1, max + 1, min + 0.5));
  const real = (min: number, max: number) => or(fc.double({ min, max, noNaN: true, minExcluded: true }), fc.constantFrom(min, max * 2, Number.NaN));
  const port = int(1, 65_535);
  const host = pick(['127.0.0.1', '10.0.0.5', '[::1]', 'localhost', 'orders.internal'], ['', 'bad host', '[zz]', '256.0.0.1x']);
  const scheme = pick(['http', 'https', 'HTTP'], ['ftp', 'mailto']);

  const plainUrl = fc.tuple(scheme, host, fc.option(port, { nil: undefined })).map(([sc, h, p]) => `${sc}://${h}${p === undefined ? '' : `:${p}`}`);
  /** Credentials and tokens in the forms users write them. */
  const secretUrl = fc.tuple(secretArb, secretArb, host, port, fc.integer({ min: 0, max: 6 })).map(([user, pw, h, p, form]) => {
    switch (form) {
      case 0:
        return `http://${user}:${pw}@${h}:${p}`;
      case 1:
        return `https://${user}@${h}`;
      case 2:
        return `${user}:${pw}@${h}:${p}`;
      case 3:
        return `http:${user}:${pw}@${h}`;
      case 4:
        return `http://${user}:${pw}@x@${h}:${p}/path`;
      case 5:
        return `http://${h}:${p}/?token=${pw}&user=${user}`;
      default:
        return `http://${user}:${pw}@${h}:${p}${'x'.repeat(100)}`;
    }
  });
  const url = strict ? plainUrl : fc.oneof({ weight: 3, arbitrary: plainUrl }, { weight: 2, arbitrary: secretUrl }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });
  const entryObject = section({
    url: strict ? url : fc.oneof({ weight: 5, arbitrary: url }, { weight: 1, arbitrary: weird }),
    weight: field(int(1, 10_000)),
    zone: field(fc.string({ maxLength: 8 })),
    metadata: field(fc.dictionary(fc.constantFrom('v', 'team', 'a b', ''), or(fc.string({ maxLength: 5 }), fc.constant('x'.repeat(1_025))), { maxKeys: 2 })),
  }, ['url']);
  const entry = fc.oneof({ weight: 4, arbitrary: url }, { weight: 3, arbitrary: entryObject }, ...(strict ? [] : [{ weight: 1, arbitrary: weird }]));
  /** Strict lists hold distinct origins (a repeated origin is an error). */
  const originOf = (e: unknown): string => new URL(typeof e === 'string' ? e : String((e as { url: unknown }).url)).origin;
  const instances = strict
    ? fc.uniqueArray(entry, { minLength: 1, maxLength: 4, selector: originOf })
    : fc.oneof({ weight: 6, arbitrary: fc.array(entry, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: weird });

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

  const limits = either(
    fc.constant(false),
    section({ maxRequests: field(int(1, 100_000)), maxPendingRequests: field(int(1, 100_000)), maxRetries: field(int(0, 100)), maxRequestsPerInstance: field(int(1, 10_000)) }),
  );

  /** Lists good or garbage (`null`, a string, junk entries), details good or junk: all only warn. */
  const update = fc.tuple(
    fc.oneof(fc.array(entry, { maxLength: 4 }), weird, fc.constant(null)),
    fc.oneof(
      fc.constant(undefined),
      weird,
      fc.tuple(secretArb, fc.array(weird, { maxLength: 2 })).map(([s, junk]) => ({
        rejected: [{ path: `http://u:${s}@key`, message: `value http://${s}@x is invalid` }, ...junk],
      })),
    ),
  );
  const source = fc
    .record({
      updates: fc.array(update, { maxLength: 3 }),
      throwWith: strict ? fc.constant(null) : fc.option(secretArb, { freq: 4 }),
      kind: field(pick(['custom', 'etcd', 'dns'], [''])),
    })
    .map((r): SourcePlan => ({ plan: 'source', ...r }));
  const discovery = strict ? source : fc.oneof({ weight: 5, arbitrary: source }, { weight: 1, arbitrary: weird }, { weight: 1, arbitrary: fc.constant({ kind: 'x', start: noop }) });

  const members = fc.oneof(
    { weight: 3, arbitrary: fc.record({ instances }) },
    { weight: 2, arbitrary: fc.record({ discovery }) },
    ...(strict ? [] : [{ weight: 1, arbitrary: fc.constant({}) }]),
  );
  const service = fc
    .tuple(
      members,
      section({
        // The hash strategies build tables of thousands of entries (maglev ~8 ms): rare, so
        // 10,000 runs stay within a few seconds.
        strategy: field(
          fc.oneof(
            { weight: 40, arbitrary: pick<unknown>(STRATEGY_NAMES.filter((n) => n !== 'maglev' && n !== 'ring-hash'), ['fastest', { name: 'x' }]) },
            { weight: 1, arbitrary: fc.constantFrom('maglev', 'ring-hash') },
          ),
        ),
        hashKey: field(fc.oneof(fc.record({ header: pick(['x-user', 'X-Tenant'], ['x user', '', 'caf\u00e9']) }), fc.constant(() => 'k'))),
        healthCheck: field(healthCheck),
        outlierDetection: field(outlierDetection),
        panic: field(section({ thresholdPercent: field(percent), mode: field(pick(['balance-all', 'fail-fast'], ['explode'])) })),
        slowStart: field(section({ windowMs: field(ms), aggression: field(real(0, 100)), minWeightPercent: field(or(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, 101))) })),
        retry: field(retry),
        limits: field(limits),
        drainTimeoutMs: field(ms),
        hostHeader: field(pick(['instance', 'service'], ['both'])),
      }),
    )
    .map(([a, b]) => ({ ...a, ...b }));

  const serviceName = strict
    ? fc.constantFrom('orders', 'billing', 'orders.internal', 'a-b', 'x1', 'constructor')
    : fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('orders', 'billing', 'orders.internal', 'a-b', 'x1') },
        { weight: 1, arbitrary: fc.constantFrom('Orders', 'a_b', '', '-x', 'x'.repeat(300), 'a..b') },
        { weight: 1, arbitrary: secretArb.map((s) => `admin:${s}@orders`) },
      );
  const services = fc.dictionary(serviceName, strict ? service : fc.oneof({ weight: 8, arbitrary: service }, { weight: 1, arbitrary: weird }), { minKeys: 1, maxKeys: 3 });

  return section({
    services: strict ? services : fc.oneof({ weight: 20, arbitrary: services }, { weight: 1, arbitrary: weird }, { weight: 1, arbitrary: fc.constant(undefined) }),
    runtime: strict
      ? fc.constant(FAKE_RUNTIME)
      : fc.oneof({ weight: 12, arbitrary: fc.constant(FAKE_RUNTIME) }, { weight: 1, arbitrary: fc.oneof(weird, fc.constant({ now: () => 0 }), fc.constantFrom('now', 'setTimeout', 'random', 'wallNow').map((m) => ({ ...createFakeRuntime(), [m]: undefined }))) }),
    logger: strict ? fc.constant(RECORDING_LOGGER) : fc.oneof({ weight: 3, arbitrary: fc.constant(RECORDING_LOGGER) }, { weight: 1, arbitrary: fc.oneof(weird, fc.constantFrom(...brokenLoggers)) }),
    meterProvider: field(strict ? fc.constant({ getMeter: () => createNoopMeter() }) : meterProvider),
    metrics: field(section({ perInstance: field(fc.boolean()) })),
  }, ['services', 'runtime', 'logger']);
}

const brokenLoggers: unknown[] = [
  { debug: noop, info: noop, warn: noop, error: noop, child: () => undefined },
  { debug: noop, info: noop, warn: noop, error: noop, child: () => ({}) },
  {
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    child: () => {
      throw new Error('no children');
    },
  },
  { debug: noop, info: noop, error: noop, child: noop },
];

/** Meter providers that are not one, or whose meter is not one or throws. */
const brokenMeterProvider: fc.Arbitrary<unknown> = fc.oneof(
  weird,
  fc.constant({}),
  fc.constant({ getMeter: () => undefined }),
  fc.constant({ getMeter: () => ({ createCounter: noop }) }),
  fc.constant({
    getMeter: () => ({
      ...createNoopMeter(),
      createHistogram: () => {
        throw new Error('histograms are off');
      },
    }),
  }),
  secretArb.map((s) => ({
    getMeter: () => {
      throw new Error(`exporter http://otel:${s}@collector refused`);
    },
  })),
);

const meterProvider: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ getMeter: () => createNoopMeter() }) },
  { weight: 1, arbitrary: brokenMeterProvider },
);

/** Plain data: an object whose prototype is `Object.prototype` or null (fast-check makes both). */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Copies plain objects and arrays (the rest is shared), so a copy can be changed safely. */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (isPlain(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)]));
  }
  return value;
}

/** Replaces the `n`-th field (counting every nested key of plain objects and arrays) by `value`. */
function replaceNth(template: Record<string, unknown>, n: number, value: unknown): Record<string, unknown> {
  const copy = copyPlain(template) as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
    else if (isPlain(node)) {
      for (const [k, v] of Object.entries(node)) {
        slots.push([node, k]);
        walk(v);
      }
    }
  };
  walk(copy);
  const [container, key] = slots[n % slots.length]!;
  (container as Record<string | number, unknown>)[key] = value;
  return copy;
}

const strictTemplate = build(true);

/** One object the balancer calls, broken: `[where, what]`. */
const brokenHook: fc.Arbitrary<readonly [string, unknown]> = fc.oneof(
  fc.constantFrom('now', 'setTimeout', 'random', 'wallNow').map((m) => ['runtime', { ...createFakeRuntime(), [m]: undefined }] as const),
  fc.constantFrom(...brokenLoggers).map((l) => ['logger', l] as const),
  brokenMeterProvider.map((m) => ['meterProvider', m] as const),
  // A source that throws in start, in a service listed after the others (they start first).
  secretArb.map((s) => ['services', { plan: 'source', kind: 'broken', updates: [], throwWith: s } satisfies SourcePlan] as const),
);

function withBrokenHook(template: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  if (key !== 'services') return { ...template, [key]: value };
  return { ...template, services: { ...(template.services as object), 'zz-broken': { discovery: value } } };
}

/**
 * Random `createBalancer` options with stand-ins for what must be fresh per run: valid
 * throughout; valid but for one field (any field, at any depth) replaced by a wrong value; valid
 * but for one broken runtime, logger, meter provider or throwing discovery source; edgy
 * everywhere.
 */
export const optionsTemplate: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 2, arbitrary: strictTemplate },
  { weight: 4, arbitrary: fc.tuple(strictTemplate, fc.nat(), weird).map(([t, n, w]) => replaceNth(t, n, w)) },
  { weight: 1, arbitrary: fc.tuple(strictTemplate, brokenHook).map(([t, [key, value]]) => withBrokenHook(t, key, value)) },
  { weight: 4, arbitrary: build(false) },
);

/** One run's options, and what to check afterwards. */
export interface OptionsCase {
  readonly options: Record<string, unknown>;
  /** Every line the recording logger got (level, fields as JSON, message). */
  readonly logs: readonly string[];
  readonly sources: readonly SourceLog[];
  /** The fake runtime in the options, when it is one. */
  readonly runtime: FakeRuntime | undefined;
}

function source(p: SourcePlan, sources: SourceLog[]): DiscoverySource {
  const log: SourceLog = { started: 0, closed: 0 };
  sources.push(log);
  return {
    kind: p.kind as string,
    start(sink: DiscoverySink) {
      log.started++;
      for (const [entries, details] of p.updates) sink.update(entries as never, details as never);
      if (p.throwWith !== null) throw new Error(`cannot reach http://root:${p.throwWith}@registry:2379`);
    },
    close() {
      log.closed++;
    },
  };
}

/** Turns a template into options with a fresh fake runtime, recording logger and sources. */
export function instantiate(template: Record<string, unknown>): OptionsCase {
  const logs: string[] = [];
  const sources: SourceLog[] = [];
  const runtime = template.runtime === FAKE_RUNTIME ? createFakeRuntime() : undefined;
  const options: Record<string, unknown> = { ...template };
  if (runtime) options.runtime = runtime;
  if (template.logger === RECORDING_LOGGER) {
    const at = (level: string) => (fields: object, msg?: string) => void logs.push(`${level} ${JSON.stringify(fields)} ${msg ?? ''}`);
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
    options.logger = logger;
  }
  const services = template.services;
  if (typeof services === 'object' && services !== null && !Array.isArray(services)) {
    const copy: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(services)) {
      const discovery = (value as { discovery?: unknown } | null)?.discovery as SourcePlan | undefined;
      copy[name] = discovery?.plan === 'source' ? { ...(value as object), discovery: source(discovery, sources) } : value;
    }
    options.services = copy;
  }
  return { options, logs, sources, runtime };
}
