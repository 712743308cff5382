/**
 * Options that used to be accepted and then failed later (a TypeError out of `createBalancer`,
 * or a health probe that Node refuses every time): each is now a `BalancerConfigError` naming
 * its path. One test per gap, named after it.
 */
import { describe, expect, it } from 'vitest';
import { staticDiscovery } from '../discovery/static.js';
import { createBalancer } from '../balancer.js';
import { BalancerConfigError, type ConfigIssue } from '../errors.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';

const ok = { instances: ['http://127.0.0.1:8081'] };
const noop = (): void => {};

/** Constructs, closes what was built, and returns the issues of the config error (or fails). */
function issuesOf(options: unknown): readonly ConfigIssue[] {
  let error: unknown;
  try {
    void createBalancer({ runtime: createFakeRuntime(), ...(options as object) } as never).close();
  } catch (e) {
    error = e;
  }
  expect(error instanceof BalancerConfigError, `expected a BalancerConfigError, got ${String(error)}`).toBe(true);
  return (error as BalancerConfigError).issues;
}

function expectIssue(options: unknown, path: string, text: string | RegExp): void {
  const issues = issuesOf(options);
  const issue = issues.find((i) => i.path === path);
  expect(issue, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
  if (typeof text === 'string') expect(issue!.message).toContain(text);
  else expect(issue!.message).toMatch(text);
}

const health = (healthCheck: Record<string, unknown>) => ({ services: { orders: { ...ok, healthCheck } } });

describe('construction-time gaps', () => {
  it('runtime: {} is refused with the missing methods, not a TypeError', () => {
    const issues = issuesOf({ services: { orders: ok }, runtime: {} });
    expect(issues.map((i) => i.path).sort()).toEqual(['runtime.now', 'runtime.random', 'runtime.setTimeout', 'runtime.wallNow']);
  });

  it('meterProvider: {} is refused at meterProvider.getMeter, not a TypeError', () => {
    expectIssue({ services: { orders: ok }, meterProvider: {} }, 'meterProvider.getMeter', 'expected a function');
  });

  it('a meterProvider whose getMeter returns no meter is refused at meterProvider', () => {
    expectIssue({ services: { orders: ok }, meterProvider: { getMeter: () => undefined } }, 'meterProvider', 'it returned undefined');
  });

  it('a meterProvider whose getMeter throws is refused at meterProvider', () => {
    const meterProvider = {
      getMeter() {
        throw new Error('no meters today');
      },
    };
    expectIssue({ services: { orders: ok }, meterProvider }, 'meterProvider', 'no meters today');
  });

  it('a logger without child() works: the balancer never calls it (its fields go under one key)', () => {
    const lines: unknown[] = [];
    const logger = { debug: noop, info: noop, warn: (fields: unknown) => lines.push(fields), error: noop };
    const b = createBalancer({ services: { orders: { discovery: staticDiscovery(['http://127.0.0.1:1', 'not a url']) } }, logger });
    expect(lines).toEqual([expect.objectContaining({ balancer: expect.objectContaining({ service: 'orders', event: 'invalid-entry' }) })]);
    void b.close();
  });

  it('a logger without warn is refused at logger.warn', () => {
    const logger = { debug: noop, info: noop, error: noop, child: noop };
    expectIssue({ services: { orders: ok }, logger }, 'logger.warn', 'expected a function');
  });

  it('a discovery source whose kind is not a string is refused at discovery.kind', () => {
    expectIssue({ services: { orders: { discovery: { kind: 42, start: noop, close: noop } } } }, 'services.orders.discovery.kind', 'got 42');
  });
});

describe('health checks Node would refuse', () => {
  it('a health-check path with a space (ERR_UNESCAPED_CHARACTERS) is refused', () => {
    expectIssue(health({ path: '/he alth' }), 'services.orders.healthCheck.path', 'index 3');
  });

  it('a health-check path with a character above U+00FF is refused', () => {
    expectIssue(health({ path: '/h\u0100' }), 'services.orders.healthCheck.path', 'Node refuses');
  });

  it('a health-check header name that is not a token is refused', () => {
    expectIssue(health({ headers: { 'x user': '1' } }), 'services.orders.healthCheck.headers["x user"]', 'header name');
  });

  it('an empty health-check header name is refused', () => {
    expectIssue(health({ headers: { '': '1' } }), 'services.orders.healthCheck.headers[""]', 'header name');
  });

  it('a health-check header value with a newline is refused without echoing the value', () => {
    const issues = issuesOf(health({ headers: { authorization: 'Bearer s3cr3t-t0ken\r\nx: y' } }));
    const issue = issues.find((i) => i.path === 'services.orders.healthCheck.headers.authorization');
    expect(issue?.message).toContain('character Node refuses');
    expect(JSON.stringify(issues)).not.toContain('s3cr3t');
  });

  it('a health-check header value above U+00FF is refused', () => {
    expectIssue(health({ headers: { 'x-name': 'caf\u0101' } }), 'services.orders.healthCheck.headers.x-name', 'index 3');
  });

  it('a health-check method CONNECT is refused (it never gets a response event)', () => {
    expectIssue(health({ method: 'connect' }), 'services.orders.healthCheck.method', 'CONNECT');
  });

  it('a health-check method token with a hyphen is accepted, as Node accepts it', () => {
    const b = createBalancer({ runtime: createFakeRuntime(), services: { orders: { ...ok, healthCheck: { method: 'm-search' } } } });
    expect(b.config.services.get('orders')!.healthCheck!.method).toBe('M-SEARCH');
    void b.close();
  });
});
