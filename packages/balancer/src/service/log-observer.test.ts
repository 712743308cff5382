/**
 * Logs through a real pino logger writing JSON lines to a captured stream.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { staticDiscovery } from '../discovery/static.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { pickFrom } from '../testing/pick.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const urls = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

describe('logs through pino', () => {
  it('an ejection and a recovery are JSON lines carrying service, instance, from, to and reason', () => {
    const { lines, logger } = capture();
    const runtime = createFakeRuntime();
    const balancer = createBalancer({
      services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 2 }, baseEjectionMs: 1_000, maxEjectionPercent: 50 } } },
      logger,
      runtime,
    });
    for (let i = 0; i < 6; i++) {
      const p = pickFrom(balancer, 'orders');
      if (!p.ok) throw p.error;
      p.done(p.instance.id === urls[0] ? { kind: 'response', status: 503 } : { kind: 'response', status: 200 });
    }
    runtime.advance(1_000);
    expect(lines.filter((l) => l.from === 'new').map((l) => l.level)).toEqual([20, 20, 20]); // joins at debug
    const changes = lines.filter((l) => l.event === 'state-change' && l.from !== 'new');
    expect(changes).toEqual([
      expect.objectContaining({ level: 40, service: 'orders', instance: urls[0], from: 'healthy', to: 'ejected', reason: 'consecutive-failures', msg: `instance ${urls[0]} healthy -> ejected (consecutive-failures)` }),
      expect.objectContaining({ level: 30, service: 'orders', instance: urls[0], from: 'ejected', to: 'healthy', reason: 'ejection-expired' }),
    ]);
    const ejection = lines.find((l) => l.event === 'ejection');
    expect(ejection).toMatchObject({ level: 40, service: 'orders', instance: urls[0], reason: 'consecutive-failures', enforced: true, durationMs: 1_000, timesEjected: 1 });
  });

  it('panic entered and left, invalid entries and a discovery failure streak are each logged once', () => {
    const { lines, logger } = capture();
    const runtime = createFakeRuntime();
    const discovery = staticDiscovery(urls);
    const balancer = createBalancer({
      services: { orders: { discovery, strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 1_000, maxEjectionPercent: 100 } } },
      logger,
      runtime,
    });
    for (let i = 0; i < 2; i++) {
      const p = pickFrom(balancer, 'orders');
      if (!p.ok) throw p.error;
      p.done({ kind: 'failure', failure: 'connect' });
    }
    runtime.advance(1_000);
    discovery.set([...urls, 'ftp://nope']);
    discovery.fail(new Error('registry down'));
    discovery.fail(new Error('registry down'));
    discovery.fail(new Error('registry down'));
    discovery.set(urls.slice(0, 2));
    const events = lines.map((l) => l.event);
    expect(lines.filter((l) => l.event === 'panic').map((l) => l.panic)).toEqual([true, false]);
    expect(lines.find((l) => l.event === 'invalid-entry')).toMatchObject({ level: 40, path: 'static[3]', problem: expect.stringContaining('http: or https:') });
    expect(events.filter((e) => e === 'discovery-failed')).toHaveLength(1);
    expect(lines.find((l) => l.event === 'discovery-failed')).toMatchObject({ service: 'orders', source: 'static', kept: 3, err: { message: 'registry down' } });
    expect(lines.find((l) => l.event === 'discovery-recovered')).toMatchObject({ failures: 3 });
  });
});
