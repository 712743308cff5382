import { readFileSync } from 'node:fs';
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Instance } from '../instance/instance.js';
import type { Service } from '../service/service.js';
import { ATTRIBUTES, INSTRUMENTS } from './instruments.js';
import { metricsTableMarkdown } from './markdown.js';
import { instrumentsFor, METER_NAME, resolveMeter, type MeterSource } from './meter.js';
import { createMetricsObserver } from './metrics-observer.js';
import { A, collect, runScenario, TestReader } from './metrics.test-helpers.js';
import { VERSION } from './version.js';
import { pickFrom } from '../testing/pick.js';

const SERVICE = 'datapunk.balancer.service';

describe('dispose', () => {
  it('stops the collection callback of the service it is called for', async () => {
    const { reader, observers, services, balancer } = runScenario(false);
    const read = vi.fn();
    for (const [name, service] of services) {
      const instances = service.instances.bind(service);
      vi.spyOn(service, 'instances').mockImplementation(() => {
        read(name);
        return instances();
      });
    }
    const active = async (service: string) => (await collect(reader)).value('datapunk.balancer.request.active', { [SERVICE]: service });
    expect(await active('billing')).toBe(1);
    expect(read.mock.calls).toEqual([['orders'], ['billing']]);

    observers.get('orders')!.dispose();
    read.mockClear();
    if (!pickFrom(balancer, 'billing', { method: 'GET' }).ok) throw new Error('expected a pick');
    expect(await active('billing')).toBe(2);
    expect(read.mock.calls).toEqual([['billing']]);

    observers.get('billing')!.dispose();
    observers.get('billing')!.dispose(); // idempotent
    read.mockClear();
    if (!pickFrom(balancer, 'billing', { method: 'GET' }).ok) throw new Error('expected a pick');
    await collect(reader);
    // The SDK keeps exporting an asynchronous series' last value; what matters is that nothing reads the service.
    expect(read).not.toHaveBeenCalled();
  });
});

describe('hot path', () => {
  /** A meter whose instruments record their calls. */
  function recordingMeter() {
    const calls: { name: string; value: number; attributes: Attributes | undefined }[] = [];
    const sync = (name: string) => ({
      add: (value: number, attributes?: Attributes) => calls.push({ name, value, attributes }),
      record: (value: number, attributes?: Attributes) => calls.push({ name, value, attributes }),
    });
    const observable = () => ({ addCallback: vi.fn(), removeCallback: vi.fn() });
    const meter = {
      createCounter: sync,
      createHistogram: sync,
      createUpDownCounter: sync,
      createGauge: sync,
      createObservableGauge: observable,
      createObservableCounter: observable,
      createObservableUpDownCounter: observable,
      addBatchObservableCallback: vi.fn(),
      removeBatchObservableCallback: vi.fn(),
    };
    return { meter: meter as unknown as Meter, calls };
  }
  const fixed = (meter: Meter): MeterSource => {
    const state = { meter, instruments: instrumentsFor(meter), records: true };
    return { current: () => state };
  };
  /** Just what the observer reads of a service: its name, instances and panic flag. */
  const service = { name: 'orders', instances: () => [][Symbol.iterator](), snapshot: () => ({ panic: false }) } as unknown as Service;
  const instance = { id: A, host: '10.0.0.1', port: 8081, protocol: 'http:' } as Instance;

  it('reuses one frozen attribute object per instance, method and outcome', () => {
    const { meter, calls } = recordingMeter();
    const observer = createMetricsObserver(service, fixed(meter), { perInstance: true });
    const end = (status: number) =>
      observer.attemptEnded!({ service: 'orders', instance, outcome: { kind: 'response', status }, latencyMs: 20, method: 'GET' });
    end(200);
    end(200);
    end(503);
    expect(calls.map((c) => c.name)).toEqual(Array(3).fill('datapunk.balancer.request.duration')); // one record per attempt, no counter
    expect(calls.map((c) => c.value)).toEqual([0.02, 0.02, 0.02]);
    expect(calls[0]!.attributes).toBe(calls[1]!.attributes);
    expect(calls[0]!.attributes).not.toBe(calls[2]!.attributes);
    expect(Object.isFrozen(calls[0]!.attributes)).toBe(true);
    expect(calls[0]!.attributes).toEqual({
      [SERVICE]: 'orders',
      'server.address': '10.0.0.1',
      'server.port': 8081,
      'url.scheme': 'http',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });
    expect(meter.addBatchObservableCallback).toHaveBeenCalledTimes(1);
    observer.dispose();
    const [added] = vi.mocked(meter.addBatchObservableCallback).mock.calls;
    expect(meter.removeBatchObservableCallback).toHaveBeenCalledWith(added![0], added![1]);
  });

  it('maps unknown and missing methods to _OTHER', () => {
    const { meter, calls } = recordingMeter();
    const observer = createMetricsObserver(service, fixed(meter), { perInstance: false });
    for (const method of ['PURGE', 'get', undefined, 'PATCH']) {
      observer.attemptEnded!({ service: 'orders', instance, outcome: { kind: 'cancelled' }, latencyMs: 1, method });
    }
    const methods = calls.map((c) => c.attributes?.['http.request.method']);
    expect(methods).toEqual(['_OTHER', '_OTHER', '_OTHER', 'PATCH']);
  });

  it('writes an IPv6 host without brackets, the default port of its scheme, and _OTHER for unknown failures', () => {
    const { meter, calls } = recordingMeter();
    const observer = createMetricsObserver(service, fixed(meter), { perInstance: true });
    const v6 = { id: 'https://[::1]', host: '[::1]', port: 443, protocol: 'https:' } as Instance;
    observer.attemptEnded!({ service: 'orders', instance: v6, outcome: { kind: 'failure', failure: 'other' }, latencyMs: 1, method: 'GET' });
    observer.retried!({ service: 'orders', retry: 1, delayMs: 0, cause: 'other' });
    expect(calls[0]!.attributes).toEqual({
      [SERVICE]: 'orders',
      'server.address': '::1',
      'server.port': 443,
      'url.scheme': 'https',
      'http.request.method': 'GET',
      'error.type': '_OTHER',
    });
    expect(calls[1]).toMatchObject({ name: 'datapunk.balancer.retries', attributes: { [SERVICE]: 'orders', 'error.type': '_OTHER' } });
  });
});

describe('meter', () => {
  afterEach(() => metrics.disable());

  it('uses the given provider, else the global one, with the package name and version', async () => {
    const given = new TestReader();
    const global = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [global] }));
    resolveMeter(new MeterProvider({ readers: [given] })).current().meter.createCounter('given').add(1);
    resolveMeter().current().meter.createCounter('global').add(1);
    expect([...(await collect(given)).metrics.keys()]).toEqual(['given']);
    const fromGlobal = await collect(global);
    expect([...fromGlobal.metrics.keys()]).toEqual(['global']);
    expect(fromGlobal.scope).toMatchObject({ name: METER_NAME, version: VERSION });
  });

  it('creates the instruments once per meter', () => {
    const { meter, instruments } = resolveMeter(new MeterProvider()).current();
    expect(instruments).toBe(instrumentsFor(meter));
    expect(instrumentsFor(meter)).toBe(instrumentsFor(meter));
    expect(Object.keys(instrumentsFor(meter)).sort()).toEqual(Object.keys(INSTRUMENTS).sort());
  });

  it('VERSION is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(VERSION).toBe(pkg.version);
    expect(METER_NAME).toBe(pkg.name);
  });
});

describe('the table', () => {
  it('follows the naming rules: prefix, lowercase, no units or _total in names, UCUM units', () => {
    const names = Object.values(INSTRUMENTS).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of Object.values(INSTRUMENTS)) {
      expect(s.name).toMatch(/^datapunk\.balancer(\.[a-z][a-z0-9_]*)+$/);
      expect(s.name).not.toMatch(/total|seconds|_ms|millis/);
      expect(s.unit).toMatch(/^(s|1|\{[a-z]+\})$/);
      expect(Object.isFrozen(s) && Object.isFrozen(s.attributes)).toBe(true);
    }
    expect(Object.isFrozen(INSTRUMENTS)).toBe(true);
  });

  it('renders as Markdown with a row per instrument and per attribute', () => {
    const md = metricsTableMarkdown();
    for (const s of Object.values(INSTRUMENTS)) {
      const line = md.split('\n').find((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(line, s.name).toBeDefined();
      expect(line).toContain(`| ${s.kind} | \`${s.unit}\` |`);
      expect(line).toContain(`\`${s.prometheus}`);
      for (const a of s.attributes) expect(line).toContain(`\`${a}\``);
    }
    expect(md).toContain('0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10');
    for (const a of Object.keys(ATTRIBUTES)) expect(md).toContain(` | ${ATTRIBUTES[a as keyof typeof ATTRIBUTES]} |`);
    expect(md).toContain('| `server.address` | HTTP client |');
    expect(md).toContain('| `datapunk.balancer.service` | ours |');
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(INSTRUMENTS).length + Object.keys(ATTRIBUTES).length);
  });

  it('documents exactly the attributes the instruments use', () => {
    const used = new Set(Object.values(INSTRUMENTS).flatMap((s) => s.attributes));
    expect([...used].sort()).toEqual(Object.keys(ATTRIBUTES).sort());
  });
});
