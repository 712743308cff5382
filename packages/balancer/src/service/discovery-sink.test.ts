/**
 * What a discovery source hands the sink is never trusted: `update(null)`, a string, garbage
 * details or entries whose reading throws get a warning through the rejected-entries path and
 * keep the last good list; nothing is thrown back into the source's callback.
 */
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import type { DiscoverySink, DiscoverySource } from '../discovery/source.js';
import type { Logger } from '../logger.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';

interface Line {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly msg: string | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (fields: object, msg?: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, msg });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

function setup() {
  let sink: DiscoverySink | undefined;
  const source: DiscoverySource = {
    kind: 'custom',
    start: (s) => {
      sink = s;
    },
    close: () => {},
  };
  const lines: Line[] = [];
  const balancer = createBalancer({ services: { orders: { discovery: source } }, logger: recordingLogger(lines), runtime: createFakeRuntime() });
  sink!.update(['http://127.0.0.1:8001']);
  const ids = () => balancer.snapshot().services.orders!.instances.map((i) => i.id);
  // The balancer's fields are under one key (`balancer`); read them flat here.
  const warnings = () => lines.filter((l) => l.level === 'warn').map((l) => ({ ...l, fields: { ...l.fields, ...(l.fields as { balancer?: object }).balancer } as Record<string, unknown> }));
  return { sink: sink!, balancer, ids, warnings };
}

describe('the discovery sink', () => {
  it('update(null) warns and keeps the last good list instead of throwing into the source', () => {
    const { sink, ids, warnings } = setup();
    expect(() => sink.update(null as never)).not.toThrow();
    expect(ids()).toEqual(['http://127.0.0.1:8001']);
    expect(warnings().map((w) => w.fields.problem ?? w.fields.event)).toContain('expected an array of instance entries, got null');
  });

  it('update with a non-array (a string) warns and keeps the last good list', () => {
    const { sink, ids, warnings } = setup();
    expect(() => sink.update('http://127.0.0.1:9' as never)).not.toThrow();
    expect(ids()).toEqual(['http://127.0.0.1:8001']);
    expect(warnings().some((w) => w.fields.event === 'invalid-entry' && w.fields.path === 'custom')).toBe(true);
  });

  it('update with garbage details.rejected does not throw and applies the good entries', () => {
    const { sink, ids } = setup();
    expect(() => sink.update(['http://127.0.0.1:8002'], { rejected: 5 } as never)).not.toThrow();
    expect(() => sink.update(['http://127.0.0.1:8003'], { rejected: [null, { path: 1 }] } as never)).not.toThrow();
    expect(ids()).toEqual(['http://127.0.0.1:8003']);
  });

  it('an entry whose reading throws (a throwing getter) is a discovery failure, not a throw into the source', () => {
    const { sink, ids, warnings } = setup();
    const evil = Object.defineProperty({}, 'url', { enumerable: true, get: () => { throw new Error('getter blew up'); } });
    expect(() => sink.update([evil])).not.toThrow();
    expect(ids()).toEqual(['http://127.0.0.1:8001']);
    expect(warnings().some((w) => w.fields.event === 'discovery-failed')).toBe(true);
  });
});
