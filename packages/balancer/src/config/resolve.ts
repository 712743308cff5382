/**
 * Validates `BalancerOptions` once and resolves them into a frozen `BalancerConfig`.
 * Every problem is collected with its path and thrown together as a `BalancerConfigError`.
 */
import { BalancerConfigError } from '../errors.js';
import { parseInstanceList } from '../instance/entry.js';
import type { Strategy, StrategyName } from '../strategies/strategy.js';
import { createStrategy, isStrategy, STRATEGY_NAMES } from '../strategies/index.js';
import type { DiscoverySource } from '../discovery/source.js';
import type { BalancerConfig, PanicConfig, ServiceConfig, SlowStartConfig } from './config.js';
import { deepFreeze } from './config.js';
import type { HashKeyRequest } from './options.js';
import { resolveHealthCheck } from './resolve-health.js';
import { resolveOutlierDetection } from './resolve-outlier.js';
import { checkHooks } from './resolve-hooks.js';
import { resolveLimits } from './resolve-limits.js';
import { resolveRetry } from './resolve-retry.js';
import { resolveSubset } from './resolve-subset.js';
import { resolveZone, resolveZoneAware } from './resolve-zone.js';
import { Issues, isPlainObject, keyPath, readBoolean, readEnum, readMs, readNumber, readObject, readPercent, show } from './validate.js';

export const SERVICE_DEFAULTS = {
  strategy: 'peak-ewma' as StrategyName,
  drainTimeoutMs: 30_000,
  hostHeader: 'instance' as const,
  allowSchemeDowngrade: false,
  panic: { thresholdPercent: 50, mode: 'balance-all' as const },
  slowStart: { windowMs: 0, aggression: 1, minWeightPercent: 10 },
};

const SERVICE_KEYS = [
  'instances',
  'discovery',
  'strategy',
  'hashKey',
  'healthCheck',
  'outlierDetection',
  'panic',
  'slowStart',
  'retry',
  'drainTimeoutMs',
  'hostHeader',
  'allowSchemeDowngrade',
  'subset',
  'zoneAware',
  'limits',
];

/** A service name is a host name: letters, digits, hyphens and dots, as used in URLs. */
const SERVICE_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function resolveStrategy(value: unknown, path: string, issues: Issues): Strategy {
  if (value === undefined) return createStrategy(SERVICE_DEFAULTS.strategy);
  if (typeof value === 'string') {
    if ((STRATEGY_NAMES as readonly string[]).includes(value)) return createStrategy(value as StrategyName);
    issues.add(path, `expected one of ${STRATEGY_NAMES.map((n) => `"${n}"`).join(', ')} or a Strategy object, got ${show(value)}`);
    return createStrategy(SERVICE_DEFAULTS.strategy);
  }
  if (isStrategy(value)) return value;
  issues.add(path, `expected a strategy name or an object with name and build(), got ${show(value)}`);
  return createStrategy(SERVICE_DEFAULTS.strategy);
}

function resolveHashKey(value: unknown, path: string, issues: Issues): ServiceConfig['hashKey'] {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as (r: HashKeyRequest) => string | undefined;
  const o = readObject(value, path, issues, ['header']);
  if (!o) return undefined;
  if (typeof o.header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(o.header)) {
    issues.add(`${path}.header`, `expected a header name, got ${show(o.header)}`);
    return undefined;
  }
  const header = o.header.toLowerCase();
  return (request) => request.header(header);
}

function resolvePanic(value: unknown, path: string, issues: Issues): PanicConfig {
  const d = SERVICE_DEFAULTS.panic;
  if (value === undefined) return d;
  const o = readObject(value, path, issues, ['thresholdPercent', 'mode']) ?? {};
  return {
    thresholdPercent: readPercent(o.thresholdPercent, `${path}.thresholdPercent`, issues, d.thresholdPercent),
    mode: readEnum(o.mode, `${path}.mode`, issues, ['balance-all', 'fail-fast'], d.mode),
  };
}

function resolveSlowStart(value: unknown, path: string, issues: Issues): SlowStartConfig {
  const d = SERVICE_DEFAULTS.slowStart;
  const o = value === undefined ? {} : (readObject(value, path, issues, ['windowMs', 'aggression', 'minWeightPercent']) ?? {});
  return {
    windowMs: readMs(o.windowMs, `${path}.windowMs`, issues, d.windowMs),
    aggression: readNumber(o.aggression, `${path}.aggression`, issues, { min: 0, exclusiveMin: true, max: 100 }, d.aggression),
    minWeight: readNumber(o.minWeightPercent, `${path}.minWeightPercent`, issues, { min: 1, max: 100 }, d.minWeightPercent) / 100,
  };
}

function isDiscoverySource(value: unknown): value is DiscoverySource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DiscoverySource).start === 'function' &&
    typeof (value as DiscoverySource).close === 'function'
  );
}

/** A source's `kind` names it in logs and metric attributes: a short string, when given. */
function checkDiscoveryKind(kind: unknown, path: string, issues: Issues): void {
  if (kind !== undefined && (typeof kind !== 'string' || kind.length === 0 || kind.length > 64)) {
    issues.add(path, `expected a non-empty string of at most 64 characters, got ${show(kind)}`);
  }
}

function resolveService(name: string, value: unknown, zone: string | undefined, issues: Issues): ServiceConfig | undefined {
  const path = keyPath('services', name);
  if (!SERVICE_NAME.test(name)) {
    issues.add(path, `expected a lower-case host name (letters, digits, "-", "."), got ${show(name)}`);
  }
  const o = readObject(value, path, issues, SERVICE_KEYS);
  if (!o) return undefined;

  let instances: ServiceConfig['instances'];
  let discovery: DiscoverySource | undefined;
  if (o.instances !== undefined && o.discovery !== undefined) {
    issues.add(path, 'expected either instances or discovery, not both');
  }
  if (o.discovery !== undefined) {
    if (isDiscoverySource(o.discovery)) {
      discovery = o.discovery;
      checkDiscoveryKind(o.discovery.kind, `${path}.discovery.kind`, issues);
    } else issues.add(`${path}.discovery`, `expected a discovery source with start() and close(), got ${show(o.discovery)}`);
  } else if (o.instances === undefined) {
    issues.add(`${path}.instances`, 'expected a list of instances (or a discovery source), got nothing');
  } else if (!Array.isArray(o.instances)) {
    issues.add(`${path}.instances`, `expected an array of origins or { url, weight }, got ${show(o.instances)}`);
  } else {
    const { specs, rejected } = parseInstanceList(o.instances, `${path}.instances`);
    for (const r of rejected) issues.add(r.path, r.message);
    instances = specs;
  }

  const service: ServiceConfig = {
    name,
    instances,
    discovery,
    strategy: resolveStrategy(o.strategy, `${path}.strategy`, issues),
    hashKey: resolveHashKey(o.hashKey, `${path}.hashKey`, issues),
    healthCheck: resolveHealthCheck(o.healthCheck, `${path}.healthCheck`, issues),
    outlierDetection: resolveOutlierDetection(o.outlierDetection, `${path}.outlierDetection`, issues),
    panic: resolvePanic(o.panic, `${path}.panic`, issues),
    slowStart: resolveSlowStart(o.slowStart, `${path}.slowStart`, issues),
    retry: resolveRetry(o.retry, `${path}.retry`, issues),
    drainTimeoutMs: readMs(o.drainTimeoutMs, `${path}.drainTimeoutMs`, issues, SERVICE_DEFAULTS.drainTimeoutMs),
    hostHeader: readEnum(o.hostHeader, `${path}.hostHeader`, issues, ['instance', 'service'], SERVICE_DEFAULTS.hostHeader),
    allowSchemeDowngrade: readBoolean(o.allowSchemeDowngrade, `${path}.allowSchemeDowngrade`, issues, SERVICE_DEFAULTS.allowSchemeDowngrade),
    subset: resolveSubset(o.subset, `${path}.subset`, issues),
    zoneAware: resolveZoneAware(o.zoneAware, `${path}.zoneAware`, zone, issues),
    limits: resolveLimits(o.limits, `${path}.limits`, issues),
  };
  return service;
}

const BALANCER_KEYS = ['services', 'logger', 'meterProvider', 'metrics', 'runtime', 'zone'];

/** Validates everything; throws `BalancerConfigError` listing every problem with its path. */
export function resolveBalancerConfig(options: unknown): BalancerConfig {
  const issues = new Issues();
  const root = readObject(options, 'options', issues, BALANCER_KEYS);
  const services = new Map<string, ServiceConfig>();
  const zone = resolveZone(root?.zone, issues);
  if (root) {
    if (!isPlainObject(root.services) || Object.keys(root.services).length === 0) {
      issues.add('services', `expected an object with at least one service, got ${show(root.services)}`);
    } else {
      for (const [name, value] of Object.entries(root.services)) {
        const service = resolveService(name, value, zone, issues);
        if (service) services.set(name, service);
      }
    }
    checkHooks(root, issues);
  }
  const metrics = root?.metrics === undefined ? {} : (readObject(root.metrics, 'metrics', issues, ['perInstance']) ?? {});
  const perInstance = readBoolean(metrics.perInstance, 'metrics.perInstance', issues, true);
  if (!issues.empty) throw new BalancerConfigError(issues.list);
  for (const s of services.values()) {
    deepFreeze(s.panic);
    deepFreeze(s.slowStart);
    deepFreeze(s.healthCheck);
    deepFreeze(s.outlierDetection);
    Object.freeze(s.retry);
    Object.freeze(s);
  }
  return Object.freeze({ services, metrics: Object.freeze({ perInstance }), zone });
}
