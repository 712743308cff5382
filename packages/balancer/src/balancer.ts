/**
 * `createBalancer`: validates options once, builds one `Service` per configured service, wires
 * events, logs and metrics, and routes logical URLs (`http://orders/...`) to their service.
 */
import { Call, type CallRequest } from './call.js';
import type { BalancerConfig } from './config/config.js';
import type { BalancerOptions } from './config/options.js';
import { resolveBalancerConfig } from './config/resolve.js';
import { NoAvailableInstanceError } from './errors.js';
import { EventEmitter, type Event } from './events.js';
import { silentLogger, type Logger } from './logger.js';
import { RetryBudget } from './retry/budget.js';
import { realRuntime, type Runtime } from './runtime.js';
import type { PickResult } from './service/lease.js';
import { createHealthChecker } from './health/checker.js';
import { resolveMeter } from './metrics/meter.js';
import { createMetricsObserver, type MetricsObserver } from './metrics/metrics-observer.js';
import { LogObserver } from './service/log-observer.js';
import {
  fanOut,
  type EjectionEvent,
  type PanicEvent,
  type ServiceObserver,
  type StateChangeEvent,
} from './service/observer.js';
import { Service, type InstanceWatcher } from './service/service.js';
import type { BalancerSnapshot } from './service/snapshot.js';

export interface Balancer {
  /** The resolved, frozen configuration. */
  readonly config: BalancerConfig;
  /** The runtime in use (adapters use it for backoff and per-attempt timers). */
  readonly runtime: Runtime;
  /** The service a URL addresses (its host is a configured service name), or undefined. */
  serviceFor(url: URL | string): string | undefined;
  /**
   * Starts a call for a request, or returns undefined when its host is not a configured service
   * (the request passes through untouched). Adapters use this.
   */
  call(request: CallRequest): Call | undefined;
  /**
   * Low-level pick for a service; throws `TypeError` for an unknown service name. Call `done()`
   * on a successful result exactly once.
   */
  pick(service: string, options?: { hashKey?: string; method?: string }): PickResult;
  /** JSON-serialisable state of every service and instance. */
  snapshot(): BalancerSnapshot;
  /** Instance state changes (including added and removed). */
  readonly onStateChange: Event<StateChangeEvent>;
  /** Ejections, including dry runs and ones refused by the max ejection share. */
  readonly onEjection: Event<EjectionEvent>;
  /** Panic entered or left. */
  readonly onPanic: Event<PanicEvent>;
  /**
   * Stops health checks, discovery and timers; drains in-flight requests (up to each service's
   * drain timeout) and resolves when nothing is left running. Picks fail afterwards.
   */
  close(): Promise<void>;
}

/** Origin strings whose service (or none) is remembered by `serviceFor`. */
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
  const stateChanges = new EventEmitter<StateChangeEvent>();
  const ejections = new EventEmitter<EjectionEvent>();
  const panics = new EventEmitter<PanicEvent>();
  const events: ServiceObserver = {
    stateChanged: (e) => stateChanges.hasListeners && stateChanges.emit(e),
    ejection: (e) => ejections.hasListeners && ejections.emit(e),
    panicChanged: (e) => panics.hasListeners && panics.emit(e),
  };

  const meter = resolveMeter(options.meterProvider);
  const metricsObservers: MetricsObserver[] = [];
  const services = new Map<string, Service>();
  const budgets = new Map<string, RetryBudget | undefined>();
  const observers = new Map<string, ServiceObserver>();
  for (const [name, serviceConfig] of config.services) {
    const logger = rootLogger.child({ service: name });
    const service = new Service(serviceConfig, runtime);
    const metrics = createMetricsObserver(service, meter, { perInstance: config.metrics.perInstance, zone: config.zone });
    metricsObservers.push(metrics);
    const parts: ServiceObserver[] = [events, new LogObserver(logger), metrics];
    for (const make of extensions.observers ?? []) {
      const extra = make(service, logger);
      if (extra) parts.push(extra);
    }
    const observer = fanOut(parts);
    services.set(name, service);
    observers.set(name, observer);
    const budget = serviceConfig.retry.budget;
    budgets.set(name, budget && new RetryBudget(budget, () => runtime.now()));
    const watcher = extensions.watcher ? extensions.watcher(service, observer, logger) : createHealthChecker(service, observer, runtime);
    service.start(observer, watcher);
  }

  let closing: Promise<void> | undefined;

  // Adapters ask for every request with the same few origin strings: remember the answers
  // (bounded, since pass-through traffic may use many origins) rather than parse a URL each time.
  const byOrigin = new Map<string, string | null>();
  const serviceFor = (url: URL | string): string | undefined => {
    if (typeof url !== 'string') {
      const host = url.hostname.toLowerCase();
      return services.has(host) ? host : undefined;
    }
    const known = byOrigin.get(url);
    if (known !== undefined) return known ?? undefined;
    let host: string | undefined;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      host = undefined;
    }
    const name = host !== undefined && services.has(host) ? host : undefined;
    if (byOrigin.size < ORIGIN_CACHE_SIZE) byOrigin.set(url, name ?? null);
    return name;
  };

  const balancer: Balancer = {
    config,
    runtime,
    serviceFor,
    call(request) {
      const name = serviceFor(request.url);
      if (name === undefined) return undefined;
      return new Call(services.get(name)!, request, runtime, budgets.get(name), observers.get(name)!);
    },
    pick(name, options) {
      const service = services.get(name) ?? services.get(name.toLowerCase());
      if (!service) throw new TypeError(`unknown service "${name}" (configured: ${[...services.keys()].join(', ')})`);
      if (closing) return { ok: false, error: new NoAvailableInstanceError(name, 'closed') };
      return service.pick(options);
    },
    snapshot() {
      const out: Record<string, ReturnType<Service['snapshot']>> = {};
      for (const [name, service] of services) out[name] = service.snapshot();
      return { services: out };
    },
    onStateChange: stateChanges.event,
    onEjection: ejections.event,
    onPanic: panics.event,
    close() {
      closing ??= (async () => {
        await Promise.all([...services.values()].map((s) => s.close()));
        for (const m of metricsObservers) m.dispose();
        stateChanges.clear();
        ejections.clear();
        panics.clear();
      })();
      return closing;
    },
  };
  return balancer;
}

/**
 * Creates a balancer for the configured services. Validates every option at once and throws a
 * `BalancerConfigError` (`ERR_BALANCER_CONFIG`) listing each problem with its path.
 */
export function createBalancer(options: BalancerOptions): Balancer {
  return createBalancerWith(options);
}
