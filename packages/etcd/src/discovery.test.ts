/**
 * etcdDiscovery without etcd: an endpoint that refuses connections.
 */
import { realRuntime, type Runtime } from '@datapunk/balancer/testing';
import { describe, expect, it } from 'vitest';
import { etcdDiscovery } from './discovery.js';
import { captureLogger, waitFor } from './etcd.test-helpers.js';

describe('etcdDiscovery when etcd is unreachable', () => {
  it('reports each failure to the sink and retries with a capped exponential backoff', async () => {
    const delays: number[] = [];
    const runtime: Runtime = {
      ...realRuntime,
      random: () => 0, // the smallest jitter: half the ceiling
      setTimeout(fn, delayMs, options) {
        if (delayMs < 1_000) delays.push(delayMs); // backoff sleeps, not request timeouts
        return realRuntime.setTimeout(fn, delayMs, options);
      },
    };
    const log = captureLogger();
    const source = etcdDiscovery({
      endpoints: 'http://127.0.0.1:1',
      service: 'orders',
      backoffBaseMs: 10,
      backoffMaxMs: 40,
      runtime,
      logger: log,
    });
    const errors: unknown[] = [];
    const updates: unknown[] = [];
    source.start({ update: (e) => updates.push(e), error: (e) => errors.push(e) });
    await waitFor('five failures', () => errors.length >= 5);
    await source.close();
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 20, 20]);
    expect(errors[0]).toMatchObject({ code: 'ERR_ETCD_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(updates).toEqual([]);
    // One warning for the streak, the rest at debug level.
    const failures = log.lines.filter((l) => l.fields['event'] === 'etcd-discovery-failed');
    expect(failures.map((l) => l.level).slice(0, 3)).toEqual(['warn', 'debug', 'debug']);
    expect(failures[0]?.fields).toMatchObject({ component: 'etcd-discovery', service: 'orders' });
    const count = errors.length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(count); // closed: no more attempts
  });
});
