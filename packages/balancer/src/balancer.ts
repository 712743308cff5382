/**
 * `createBalancer`: validates options once, builds one `Service` per configured service, wires
 * events, logs and metrics, and routes logical URLs (`http://orders/...`) to their service.
 */
import { ServiceCall, type Call, type CallRequest } from './call.js';
import type { BalancerConfig } from './config/config.js';
import type { BalancerOptions } from './config/options.js';
import { resolveBalancerConfig } from './config/resolve.js';
import { meterProblem } from './config/resolve-hooks.js';
import { BalancerConfigError } from './errors.js';
import type { Disposable } from './events.js';
import { errorFields, namespacedLogger, silentLogger, type Logger } from './logger.js';
import { HedgePolicy } from './hedge/policy.js';
import { RetryBudget } from './retry/budget.js';
import { realRuntime, type Runtime } from './runtime.js';
import { createHealthChecker } from './health/checker.js';
import { METER_NAME, resolveMeter } from './metrics/meter.js';
import { VERSION } from './metrics/version.js';
import { createMetricsObserver, type MetricsObserver } from './metrics/metrics-observer.js';
import { LogObserver } from './service/log-observer.js';
import { guarded, ObserverHub, type ServiceObserver } from './service/observer.js';
import { Service, type InstanceWatcher } from './service/service.js';
import type { BalancerSnapshot } from './service/snapshot.js';

/** A balancer: picks instances for calls to its services (through an adapter), and exposes snapshots, events and close. */
export interface Balancer {
  /** The resolved, frozen configuration. */
  readonly config: BalancerConfig;
  /** The runtime in use (adapters use it for backoff and per-attempt timers). */
  readonly runtime: Runtime;
  /**
   * The `logger` option (silent by default). Adapters log through it what only they can see,
   * such as a second retry layer stacked on the balancer's.
   */
  readonly logger: Logger;
  /** The service a URL addresses (its host is a configured service name), or undefined. */
  serviceFor(url: URL | string): string | undefined;
  /**
   * Starts a call for a request, or returns undefined when its host is not a configured service
   * (the request passes through untouched). Adapters use this.
   */
  call(request: CallRequest): Call | undefined;
  /** JSON-serialisable state of every service and instance. */
  snapshot(): BalancerSnapshot;
  /**
   * Subscribes to what every service reports: instance state changes, ejections (dry runs
   * included), panic, attempts, retries, health checks, discovery... Implement only the methods
   * you need; events nobody listens to cost nothing. A throwing observer is ignored. Returns the
   * subscription; `dispose()` ends it.
   */
  observe(observer: BalancerObserver): Disposable;
  /**
   * Stops health checks, discovery and timers; drains in-flight requests (up to each service's
   * drain timeout) and resolves when nothing is left running. Picks fail afterwards.
   */
  close(): Promise<void>;
}

/**
 * The service name a URL's host names: lower case, without the trailing dot of a fully qualified
 * name (`orders.` is `orders`).
 */
function serviceHost(hostname: string): string {
  const host = hostname.toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** What `balancer.observe()` takes: any of the service events, each method optional. */
export type BalancerObserver = ServiceObserver;

/**
 * Every event `observe()` delivers, by the observer method that receives it:
 * `BalancerEvents['ejection']` is what `ejection(event)` gets (service, instance, reason,
 * whether it was enforced...), `BalancerEvents['stateChanged']` an instance's `from -> to`.
 */
export type BalancerEvents = { readonly [M in keyof BalancerObserver]-?: Parameters<NonNullable<BalancerObserver[M]>>[0] };

/** @internal The services of a balancer, for the testing entry point. */
export const INTERNALS = Symbol('@datapunk/balancer/internals');

/** @internal */
export interface BalancerInternals {
  readonly services: ReadonlyMap<string, Service>;
}

/** What a call to a service needs: the service and what it shares with the service's other calls. */
interface Route {
  readonly service: Service;
  readonly budget: RetryBudget | undefined;
  readonly observer: ServiceObserver;
  readonly hedge: HedgePolicy | undefined;
}

/** Origin strings whose route (or none) is remembered by `serviceFor` and `call`. */
const ORIGIN_CACHE_SIZE = 1_024;

/** Internal hooks that attach extra observers, or replace the health checker, per service. */
export interface BalancerExtensions {
  /** Extra observers (e.g. metrics) for a service. */
  readonly observers?: readonly ((service: Service, logger: Logger) => ServiceObserver | undefined)[];
/** Replaces the health checker that follows each service's instances (tests). */
  readonly watcher?: (service: Service, observer: ServiceObserver, logger: Logger) => InstanceWatcher | undefined;
}

export function createBalancerWith(options: BalancerOptions, extensions: BalancerExtensions = {}): Balancer {
  const config = resolveBalancerConfig(options);
  const runtime = options.runtime ?? realRuntime;
  const rootLogger = options.logger ?? silentLogger;
  let userObservers: readonly ServiceObserver[] = [];

  // A provider given is asked for its meter first, so a bad one is named, not a TypeError later.
  if (options.meterProvider) fromUser('meterProvider', () => options.meterProvider!.getMeter(METER_NAME, VERSION), meterProblem);
  const meter = fromUser('meterProvider', () => resolveMeter(options.meterProvider));
  const metricsObservers: MetricsObserver[] = [];
  const services = new Map<string, Service>();
  const budgets = new Map<string, RetryBudget | undefined>();
  const hubs = new Map<string, { hub: ObserverHub; parts: readonly ServiceObserver[] }>();
  /** What a call to each service needs, found with one lookup. */
  const routes = new Map<string, Route>();
  const started: Service[] = [];
  try {
    for (const [name, serviceConfig] of config.services) {
      // Our fields under one key, so the application's own `service` (or `event`...) never collides.
      const logger = namespacedLogger(rootLogger, { service: name });
      const service = new Service(serviceConfig, runtime);
      services.set(name, service);
      const metrics = fromUser('meterProvider', () => createMetricsObserver(service, meter, { perInstance: config.metrics.perInstance, zone: config.zone }));
      metricsObservers.push(metrics);
      const logs = new LogObserver(logger, { now: () => runtime.now(), budgetWarningIntervalMs: serviceConfig.retry.budget?.windowMs });
      const parts: ServiceObserver[] = [logs, metrics];
      for (const make of extensions.observers ?? []) {
        const extra = make(service, logger);
        if (extra) parts.push(extra);
      }
      const hub = new ObserverHub(parts);
      const observer = hub.observer;
      hubs.set(name, { hub, parts });
      const budget = serviceConfig.retry.budget;
      budgets.set(name, budget && new RetryBudget(budget, () => runtime.now()));
      const hedge = serviceConfig.hedge && new HedgePolicy(serviceConfig.hedge, runtime);
      routes.set(name, { service, budget: budgets.get(name), observer, hedge });
      const watcher = extensions.watcher ? extensions.watcher(service, observer, logger) : createHealthChecker(service, observer, runtime);
      started.push(service);
      service.start(observer, watcher);
    }
  } catch (error) {
    // A failed start leaves nothing running: stop what was started (timers are cancelled and
    // discovery closed synchronously; the rest settles on its own, with nothing in flight yet).
    for (const service of started) service.close().catch(() => {});
    for (const m of metricsObservers) m.dispose();
    throw error;
  }

  let closing: Promise<void> | undefined;

  // Adapters ask for every request with the same few origin strings: remember the answers
  // (bounded, since pass-through traffic may use many origins) rather than parse a URL each time.
  // The answer is the route itself, so that a call costs one lookup.
  const byOrigin = new Map<string, Route | null>();
  const routeFor = (url: URL | string): Route | undefined => {
    if (typeof url !== 'string') return routes.get(serviceHost(url.hostname));
    const known = byOrigin.get(url);
    if (known !== undefined) return known ?? undefined;
    let host: string | undefined;
    try {
      host = serviceHost(new URL(url).hostname);
    } catch {
      host = undefined;
    }
    const route = host === undefined ? undefined : routes.get(host);
    if (byOrigin.size < ORIGIN_CACHE_SIZE) byOrigin.set(url, route ?? null);
    return route;
  };

  const refreshObservers = (): void => {
    for (const { hub, parts } of hubs.values()) hub.set([...parts, ...userObservers]);
  };

  const balancer: Balancer & { readonly [INTERNALS]: BalancerInternals } = {
    config,
    runtime,
    logger: rootLogger,
    serviceFor: (url) => routeFor(url)?.service.name,
    call(request) {
      const route = routeFor(request.origin ?? request.url);
      if (route === undefined) return undefined;
      return new ServiceCall(route.service, request, runtime, route.budget, route.observer, route.hedge);
    },
    observe(observer) {
      const safe = guarded(observer);
      userObservers = [...userObservers, safe];
      refreshObservers();
      return {
        dispose: () => {
          if (!userObservers.includes(safe)) return;
          userObservers = userObservers.filter((o) => o !== safe);
          refreshObservers();
        },
      };
    },
    [INTERNALS]: { services },
    snapshot() {
      const out: Record<string, ReturnType<Service['snapshot']>> = {};
      for (const [name, service] of services) out[name] = service.snapshot();
      return { services: out };
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...services.values()].map((s) => s.close()));
        for (const m of metricsObservers) m.dispose();
        userObservers = [];
        refreshObservers();
      })();
      return closing;
    },
  };
  return balancer;
}

/**
 * Calls into an object the options passed in (a logger, a meter provider) while the balancer is
 * built: a throw, or a result `problem` refuses, becomes a `BalancerConfigError` at `path`.
 */
function fromUser<T>(path: string, call: () => T, problem?: (value: T) => string | undefined): T {
  let value: T;
  try {
    value = call();
  } catch (error) {
    throw new BalancerConfigError([{ path, message: `threw: ${errorFields(error).message}` }], { cause: error });
  }
  const message = problem?.(value);
  if (message !== undefined) throw new BalancerConfigError([{ path, message }]);
  return value;
}

/**
 * Creates a balancer for the configured services. Validates every option at once and throws a
 * `BalancerConfigError` (`ERR_BALANCER_CONFIG`) listing each problem with its path.
 */
export function createBalancer(options: BalancerOptions): Balancer {
  return createBalancerWith(options);
}
