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

type Line = Record<string, unknown>;

/**
 * A real pino logger writing JSON lines to a stream. `raw` keeps the text as written (JSON.parse
 * would hide a duplicate key); `lines` are the balancer's fields (under `balancer`) flattened
 * beside pino's own, for reading; `parsed` are the lines as parsed.
 */
function capture(bindings?: Line) {
  const raw: string[] = [];
  const parsed: Line[] = [];
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        raw.push(line);
        const json = JSON.parse(line) as Line;
        parsed.push(json);
        const { balancer, ...rest } = json as { balancer?: Line };
        lines.push({ ...rest, ...balancer });
      }
      done();
    },
  });
  const root = pino({ level: 'debug' }, stream);
  return { raw, parsed, lines, logger: bindings ? root.child(bindings) : root };
}

/** Keys that appear twice in one object of a JSON text, with their path. */
function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    if (text[i] === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      while (text[i] !== '}') {
        ws();
        const key = str();
        if (seen.has(key)) found.push(`${path}${key}`);
        seen.add(key);
        ws();
        i++; // colon
        value(`${path}${key}.`);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (text[i] === '[') {
      i++;
      ws();
      while (text[i] !== ']') {
        value(path);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (text[i] === '"') str();
    else while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  value('');
  return found;
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

describe('log fields under one namespace', () => {
  it('no duplicate keys when the application logger already binds service (and event, reason, instance)', async () => {
    const { raw, parsed, logger } = capture({ service: 'checkout', event: 'app', reason: 'app' });
    const runtime = createFakeRuntime();
    const balancer = createBalancer({
      services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: { consecutiveFailures: 1, maxEjectionPercent: 50 } } },
      logger,
      runtime,
    });
    const p = pickFrom(balancer, 'orders');
    if (!p.ok) throw p.error;
    p.done({ kind: 'response', status: 503 });
    runtime.advance(30_000);
    await balancer.close();
    expect(raw.length).toBeGreaterThanOrEqual(4); // joins, ejection, state changes, closed
    for (const line of raw) expect(duplicateKeys(line), line).toEqual([]);
    for (const line of parsed) {
      expect(line).toMatchObject({ service: 'checkout', event: 'app', reason: 'app' }); // the application's own, untouched
      expect(line.balancer).toMatchObject({ service: 'orders', event: expect.any(String) });
    }
    expect(parsed.find((l) => (l.balancer as Line).event === 'ejection')?.balancer).toMatchObject({
      service: 'orders',
      instance: expect.any(String),
      reason: 'consecutive-failures',
      enforced: true,
    });
  });

  it('the duplicate-key check finds a duplicate (what pino wrote with a service binding and a service field)', () => {
    expect(duplicateKeys('{"level":30,"service":"checkout","service":"orders","msg":"x"}')).toEqual(['service']);
    expect(duplicateKeys('{"a":{"b":1,"b":[2,{"c":"}"}]},"d":"x\\"y"}')).toEqual(['a.b']);
  });

  it('err is the Error itself at the top level, so pino writes type, message, stack and code', () => {
    const { lines, logger } = capture();
    const discovery = staticDiscovery(urls);
    const balancer = createBalancer({ services: { orders: { discovery } }, logger, runtime: createFakeRuntime() });
    discovery.fail(Object.assign(new TypeError('registry down'), { code: 'ECONNREFUSED' }));
    const line = lines.find((l) => l.event === 'discovery-failed');
    expect(line?.err).toEqual({ type: 'TypeError', message: 'registry down', code: 'ECONNREFUSED', stack: expect.stringMatching(/^TypeError: registry down\n\s+at /) });
    void balancer.close();
  });
});

describe('levels', () => {
  it('a spent retry budget is one warning per budget window, counting the refusals in between', () => {
    const { lines, logger } = capture();
    const runtime = createFakeRuntime();
    const balancer = createBalancer({
      services: {
        orders: {
          instances: urls,
          strategy: 'round-robin',
          outlierDetection: false,
          retry: { maxRetries: 1, budget: { percent: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 } },
        },
      },
      logger,
      runtime,
    });
    const failOnce = () => {
      const call = balancer.call({ method: 'GET', url: new URL('http://orders/x') })!;
      const attempt = call.next();
      if (!attempt.ok) throw attempt.error;
      return attempt.end({ status: 503 });
    };
    const decisions = Array.from({ length: 5 }, () => failOnce());
    expect(decisions.map((d) => d.retry)).toEqual([true, false, false, false, false]); // one retry allowed per window
    runtime.advance(10_000);
    failOnce(); // a new window: its retry is allowed again
    failOnce();
    failOnce();
    const budget = lines.filter((l) => l.event === 'retry-budget-exhausted');
    expect(budget.map((l) => [l.level, l.refused])).toEqual([
      [40, 1],
      [40, 4], // the 3 refusals held back in the first window, and the first of the second
    ]);
    expect(budget[0]).toMatchObject({ intervalMs: 10_000, msg: expect.stringContaining('retry budget exhausted') });
    expect(lines.filter((l) => l.event === 'retry-refused')).toEqual([]);
    void balancer.close();
  });

  it('close() writes one line per service, not one per instance, also after a drain', async () => {
    const { lines, logger } = capture();
    const runtime = createFakeRuntime();
    const balancer = createBalancer({ services: { orders: { instances: urls, drainTimeoutMs: 1_000 } }, logger, runtime });
    const inFlight = pickFrom(balancer, 'orders');
    if (!inFlight.ok) throw inFlight.error;
    const closing = balancer.close();
    inFlight.done({ kind: 'response', status: 200 });
    await closing;
    const atClose = lines.filter((l) => l.reason === 'balancer-closed' || l.reason === 'drained' || l.event === 'closed');
    expect(atClose.filter((l) => (l.level as number) >= 30)).toEqual([
      expect.objectContaining({ level: 30, event: 'closed', service: 'orders', instances: 3, drainTimeouts: 0, msg: 'closed: 3 instances drained' }),
    ]);
    expect(atClose.filter((l) => l.level === 20)).toHaveLength(4); // 2 removed at once, 1 draining, then drained
  });

  it('an instance cut off by the drain timeout at close is a warning', async () => {
    const { lines, logger } = capture();
    const runtime = createFakeRuntime();
    const balancer = createBalancer({ services: { orders: { instances: urls.slice(0, 1), drainTimeoutMs: 1_000 } }, logger, runtime });
    if (!pickFrom(balancer, 'orders').ok) throw new Error('expected a pick');
    const mark = lines.length;
    const closing = balancer.close();
    runtime.advance(1_000);
    await closing;
    expect(lines.slice(mark).filter((l) => (l.level as number) >= 30).map((l) => [l.level, l.event, l.reason ?? l.drainTimeouts])).toEqual([
      [40, 'state-change', 'drain-timeout'],
      [30, 'closed', 1],
    ]);
  });
});
