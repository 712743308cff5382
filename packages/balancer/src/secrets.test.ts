/**
 * Secrets (URL userinfo, query tokens) handed to the balancer never come back out: not in a
 * `BalancerConfigError`, not in a log line of a real pino logger, not in a metric attribute read
 * from the real OpenTelemetry SDK, not in a snapshot. Instances appear as `http://***@host`.
 */
import { Writable } from 'node:stream';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBalancer } from './balancer.js';
import type { DiscoverySink, DiscoverySource } from './discovery/source.js';
import { staticDiscovery } from './discovery/static.js';
import { BalancerConfigError } from './errors.js';
import { TestReader } from './metrics/metrics.test-helpers.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

const SECRETS = ['hunter2', 's3cret-obj', 's3cret-bare', 's3cret-tok', 's3cret-fail', 's3cret-probe', 's3cret-query', 's3cret-path', 's3cret-msg', 's3cret-user'];

const BAD_ENTRIES = [
  'http://admin:hunter2@10.0.0.5',
  { url: 'https://root:s3cret-obj@10.0.0.6:8443', weight: 2 },
  'admin:s3cret-bare@10.0.0.7',
  'http://10.0.0.8/?token=s3cret-tok',
  'http://s3cret-user@10.0.0.4:81',
];

function pinoCapture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => text };
}

const expectNoSecret = (where: string, text: string): void => {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} leaks ${secret}:\n${text}`).toBe(false);
};

describe('secrets never appear', () => {
  it('in a BalancerConfigError for instance URLs with userinfo or tokens; the URL is shown as http://***@host', () => {
    let error: unknown;
    try {
      createBalancer({ services: { orders: { instances: BAD_ENTRIES as never } } });
    } catch (e) {
      error = e;
    }
    expect(error instanceof BalancerConfigError).toBe(true);
    const e = error as BalancerConfigError;
    expect(e.issues).toHaveLength(BAD_ENTRIES.length);
    expect(e.message).toContain('"http://***@10.0.0.5"');
    expect(e.message).toContain('"https://***@10.0.0.6:8443"');
    expect(e.message).toContain('"http://10.0.0.8/?token=***"');
    expectNoSecret('the error message', e.message);
    expectNoSecret('the issues', JSON.stringify(e.issues));
  });

  it('in pino log lines, SDK metric attributes or snapshots, for entries, failures and health-check details', async () => {
    const { logger, text } = pinoCapture();
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const runtime = createFakeRuntime();
    const discovery = staticDiscovery(['http://10.0.0.1:8080']);
    const balancer = createBalancer({
      runtime,
      logger,
      meterProvider,
      services: {
        orders: {
          discovery,
          healthCheck: {
            intervalMs: 1_000,
            jitterPercent: 0,
            check: () => Promise.reject(new Error('GET http://probe:s3cret-probe@10.0.0.1:8080/health?token=s3cret-query refused')),
          },
        },
      },
    });
    discovery.set(['http://10.0.0.1:8080', 'http://10.0.0.2:8080', ...BAD_ENTRIES]);
    discovery.fail(new Error('watch of http://etcd:s3cret-fail@127.0.0.1:2379 failed'));
    // A source's own rejects (etcd keys, DNS records) pass through the same sink.
    let sink: DiscoverySink | undefined;
    const custom: DiscoverySource = {
      kind: 'custom',
      start: (s) => {
        sink = s;
      },
      close: () => {},
    };
    const other = createBalancer({ runtime, logger, meterProvider, services: { billing: { discovery: custom } } });
    sink!.update(['http://10.0.0.3:8080'], { rejected: [{ path: 'http://u:s3cret-path@key', message: 'value http://u:s3cret-msg@x is invalid' }] });
    await runtime.advanceAsync(5_000);

    const logs = text();
    expect(logs).toContain('http://***@10.0.0.5');
    expect(logs).toContain('***@10.0.0.7');
    expect(logs).toContain('http://***@127.0.0.1:2379');
    expect(logs).toContain('http://***@10.0.0.1:8080/health?token=***');
    expect(logs).toContain('value http://***@x is invalid');
    expect(logs.split('\n').filter((l) => l.includes('"invalid-entry"'))).toHaveLength(BAD_ENTRIES.length + 1);
    expectNoSecret('the logs', logs);

    const { resourceMetrics } = await reader.collect();
    const attributes = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes)));
    expect(attributes.length).toBeGreaterThan(5);
    expect(attributes.some((a) => a['server.address'] === '10.0.0.1' && a['server.port'] === 8080)).toBe(true);
    expectNoSecret('the metric attributes', JSON.stringify(attributes));

    const snapshots = JSON.stringify([balancer.snapshot(), other.snapshot()]);
    expect(snapshots).toContain('http://10.0.0.2:8080');
    expectNoSecret('the snapshots', snapshots);
    await Promise.all([balancer.close(), other.close()]);
    await meterProvider.shutdown();
  });
});
