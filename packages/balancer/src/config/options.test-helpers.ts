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
import { brokenLoggers, brokenMeterProvider, meterProvider, replaceNth } from './options-broken.test-helpers.js';
import { sectionArbitraries } from './options-sections.test-helpers.js';
import { secretArb, valueKit, weird } from './options-values.test-helpers.js';

export { SECRET_MARK } from './options-values.test-helpers.js';

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
  const kit = valueKit(strict);
  const { pick, or, field, section, ms, int, percent, real } = kit;
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

  const { healthCheck, outlierDetection, retry, hedge, limits } = sectionArbitraries(strict, kit);

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
        hedge: field(hedge),
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
