import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BalancerConfigError } from '../errors.js';
import { resolveBalancerConfig } from './resolve.js';

const ok = { instances: ['http://127.0.0.1:8081'] };
const svc = (extra: Record<string, unknown>, top: Record<string, unknown> = {}) => ({ services: { orders: { ...ok, ...extra } }, ...top });
const zoned = (zoneAware: unknown) => svc({ zoneAware }, { zone: 'a' });

/** [name, options, path expected in the message, text expected in the message] */
const BAD: [string, unknown, string, string][] = [
  ['subset not an object', svc({ subset: 30 }), 'services.orders.subset', 'expected an object, got 30'],
  ['subset without size', svc({ subset: {} }), 'services.orders.subset.size', 'instances per client'],
  ['subset size 0', svc({ subset: { size: 0 } }), 'services.orders.subset.size', 'got 0'],
  ['subset size fractional', svc({ subset: { size: 2.5 } }), 'services.orders.subset.size', 'got 2.5'],
  ['subset unknown key', svc({ subset: { size: 3, clientID: 'x' } }), 'services.orders.subset.clientID', 'unknown option'],
  ['subset client id empty', svc({ subset: { size: 3, clientId: '' } }), 'services.orders.subset.clientId', 'non-empty string'],
  ['subset client id negative', svc({ subset: { size: 3, clientId: -1 } }), 'services.orders.subset.clientId', 'got -1'],
  ['subset client count 0', svc({ subset: { size: 3, clientId: 0, clientCount: 0 } }), 'services.orders.subset.clientCount', 'got 0'],
  ['subset index beyond count', svc({ subset: { size: 3, clientId: 4, clientCount: 4 } }), 'services.orders.subset.clientId', '< clientCount (4), got 4'],
  ['subset count without index', svc({ subset: { size: 3, clientCount: 4 } }), 'services.orders.subset.clientId', "client's index"],
  ['subset string id with count', svc({ subset: { size: 3, clientId: 'x', clientCount: 4 } }), 'services.orders.subset.clientId', 'got "x"'],
  ['zone empty', svc({}, { zone: '' }), 'zone', "caller's zone"],
  ['zone a number', svc({}, { zone: 3 }), 'zone', 'got 3'],
  ['zoneAware without the balancer zone', svc({ zoneAware: { callers: { a: 1 } } }), 'services.orders.zoneAware', "balancer's zone"],
  ['zoneAware without callers', zoned({}), 'services.orders.zoneAware.callers', 'callers per zone'],
  ['zoneAware callers negative', zoned({ callers: { a: 1, b: -2 } }), 'services.orders.zoneAware.callers.b', 'got -2'],
  ['zoneAware callers without own zone', zoned({ callers: { b: 1 } }), 'services.orders.zoneAware.callers', 'own zone "a"'],
  ['zoneAware min cluster size 0', zoned({ callers: { a: 1 }, minClusterSize: 0 }), 'services.orders.zoneAware.minClusterSize', 'got 0'],
  ['zoneAware unknown key', zoned({ callers: { a: 1 }, minHosts: 3 }), 'services.orders.zoneAware.minHosts', 'unknown option'],
];

describe('subset and zone options reject bad values, naming the field', () => {
  it.each(BAD)('%s', (_name, options, path, text) => {
    let error: unknown;
    try {
      resolveBalancerConfig(options);
    } catch (e) {
      error = e;
    }
    expect(error instanceof BalancerConfigError).toBe(true);
    const issue = (error as BalancerConfigError).issues.find((i) => i.path === path);
    expect(issue, `issues were: ${JSON.stringify((error as BalancerConfigError).issues)}`).toBeDefined();
    expect(issue!.message).toContain(text);
  });
});

describe('subset and zone options resolve', () => {
  it('are off by default', () => {
    const c = resolveBalancerConfig(svc({}));
    expect(c.zone).toBeUndefined();
    expect(c.services.get('orders')!.subset).toBeUndefined();
    expect(c.services.get('orders')!.zoneAware).toBeUndefined();
    expect(resolveBalancerConfig(svc({ subset: false, zoneAware: false })).services.get('orders')!.subset).toBeUndefined();
  });

  it('subset: an indexed client sits at index / count; the default id is hostname:pid', () => {
    const indexed = resolveBalancerConfig(svc({ subset: { size: 30, clientId: 3, clientCount: 12 } })).services.get('orders')!.subset;
    expect(indexed).toEqual({ size: 30, position: 0.25, clientId: '3', deterministic: true });
    const byDefault = resolveBalancerConfig(svc({ subset: { size: 30 } })).services.get('orders')!.subset!;
    expect(byDefault.clientId).toBe(`${hostname()}:${process.pid}`);
    expect(byDefault.deterministic).toBe(false);
    expect(byDefault.position).toBeGreaterThanOrEqual(0);
    expect(byDefault.position).toBeLessThan(1);
  });

  it('zoneAware: callers become shares; min cluster size defaults to 6 (Envoy)', () => {
    const c = resolveBalancerConfig(zoned({ callers: { a: 30, b: 10, c: 0 } }));
    expect(c.zone).toBe('a');
    const z = c.services.get('orders')!.zoneAware!;
    expect(z.localZone).toBe('a');
    expect([...z.callers]).toEqual([
      ['a', 0.75],
      ['b', 0.25],
      ['c', 0],
    ]);
    expect(z.minClusterSize).toBe(6);
  });
});
