import { describe, expect, it } from 'vitest';
import { BalancerConfigError } from '../errors.js';
import { DNS_DEFAULTS, isServerAddress, resolveDnsConfig } from './dns-config.js';
import { dnsDiscovery } from './dns.js';
import { FakeResolver } from './dns.test-helpers.js';

/** The issues `resolveDnsConfig` reports for `options`, as "path: message" lines. */
function problems(options: unknown): string[] {
  try {
    resolveDnsConfig(options);
  } catch (error) {
    if (!(error instanceof BalancerConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('DNS discovery options', () => {
  it('resolves defaults with ?? (zero-free options get their documented defaults)', () => {
    expect(resolveDnsConfig({ name: 'orders.internal', port: 8080 })).toEqual({
      name: 'orders.internal',
      type: 'A+AAAA',
      port: 8080,
      targetType: 'A+AAAA',
      protocol: 'http:',
      servers: undefined,
      minRefreshMs: 1_000,
      maxRefreshMs: 30_000,
      failureBackoff: { baseMs: 1_000, maxMs: 30_000 },
      timeoutMs: 5_000,
      emptyConfirmations: 2,
      nxdomain: 'error',
    });
    expect(DNS_DEFAULTS.type).toBe('A+AAAA');
    expect(Object.isFrozen(resolveDnsConfig({ name: 'x', type: 'SRV' }).failureBackoff)).toBe(true);
  });

  it.each<[string, unknown, string[]]>([
    ['no object', 'orders', ['dnsDiscovery: expected an object, got "orders"', 'dnsDiscovery.name: expected a DNS name such as "orders.internal", got undefined', 'dnsDiscovery.port: required with type "A+AAAA": expected an integer from 1 to 65535, got nothing']],
    ['a bad name', { name: 'orders internal', port: 80 }, ['dnsDiscovery.name: expected a DNS name such as "orders.internal", got "orders internal"']],
    ['a missing port', { name: 'orders', type: 'A' }, ['dnsDiscovery.port: required with type "A": expected an integer from 1 to 65535, got nothing']],
    ['port 0', { name: 'orders', port: 0 }, ['dnsDiscovery.port: expected an integer >= 1 and <= 65535, got 0']],
    ['a port with SRV', { name: '_http._tcp.orders', type: 'SRV', port: 80 }, ['dnsDiscovery.port: not allowed with type "SRV": each SRV record carries its port']],
    ['targetType without SRV', { name: 'orders', port: 80, targetType: 'A' }, ['dnsDiscovery.targetType: only allowed with type "SRV"']],
    ['an unknown type', { name: 'orders', type: 'MX' }, ['dnsDiscovery.type: expected one of "A", "AAAA", "A+AAAA", "SRV", got "MX"', 'dnsDiscovery.port: required with type "A+AAAA": expected an integer from 1 to 65535, got nothing']],
    ['a bad protocol', { name: 'orders', port: 80, protocol: 'http' }, ['dnsDiscovery.protocol: expected one of "http:", "https:", got "http"']],
    ['bad servers', { name: 'orders', port: 80, servers: ['127.0.0.1:5353', 'dns.local', '::1:53', '10.0.0.1:0'] }, [
      'dnsDiscovery.servers[1]: expected "ip", "ipv4:port" or "[ipv6]:port", got "dns.local"',
      'dnsDiscovery.servers[3]: expected "ip", "ipv4:port" or "[ipv6]:port", got "10.0.0.1:0"',
    ]],
    ['an empty server list', { name: 'orders', port: 80, servers: [] }, ['dnsDiscovery.servers: expected a non-empty array of "ip" or "ip:port", got an array']],
    ['servers with a resolver', { name: 'orders', port: 80, servers: ['127.0.0.1'], resolver: new FakeResolver() }, ['dnsDiscovery.servers: not allowed with a custom resolver (configure the resolver instead)']],
    ['a zero floor', { name: 'orders', port: 80, minRefreshMs: 0 }, ['dnsDiscovery.minRefreshMs: expected a positive integer, got 0']],
    ['a floor above the ceiling', { name: 'orders', port: 80, minRefreshMs: 5_000, maxRefreshMs: 1_000 }, ['dnsDiscovery.maxRefreshMs: expected at least minRefreshMs (5000), got 1000']],
    ['a backoff base above its max', { name: 'orders', port: 80, failureBackoff: { baseMs: 5_000, maxMs: 100 } }, ['dnsDiscovery.failureBackoff.maxMs: expected at least baseMs (5000), got 100']],
    ['a typo in failureBackoff', { name: 'orders', port: 80, failureBackoff: { baseMS: 5 } }, ['dnsDiscovery.failureBackoff.baseMS: unknown option (known: baseMs, maxMs)']],
    ['a negative timeout', { name: 'orders', port: 80, timeoutMs: -1 }, ['dnsDiscovery.timeoutMs: expected a positive integer, got -1']],
    ['zero confirmations', { name: 'orders', port: 80, emptyConfirmations: 0 }, ['dnsDiscovery.emptyConfirmations: expected an integer >= 1 and <= 100, got 0']],
    ['a bad nxdomain policy', { name: 'orders', port: 80, nxdomain: 'drain' }, ['dnsDiscovery.nxdomain: expected one of "error", "empty", got "drain"']],
    ['a bad resolver', { name: 'orders', port: 80, resolver: {} }, ['dnsDiscovery.resolver: expected a resolver with resolve4(), resolve6(), resolveSrv() and cancel(), got an object']],
    ['a bad runtime', { name: 'orders', port: 80, runtime: { now: 1 } }, ['dnsDiscovery.runtime: expected a Runtime with now(), setTimeout() and random(), got an object']],
    ['an unknown key', { name: 'orders', port: 80, ttl: 5 }, [expect.stringMatching(/^dnsDiscovery\.ttl: unknown option \(known: name, type, port/) as unknown as string]],
  ])('rejects %s, naming the option', (_name, options, expected) => {
    expect(problems(options)).toEqual(expected);
  });

  it('dnsDiscovery validates eagerly and throws a BalancerConfigError', () => {
    expect(() => dnsDiscovery({ name: 'orders', port: 70_000 })).toThrow(/dnsDiscovery\.port: expected an integer >= 1 and <= 65535, got 70000/);
    try {
      dnsDiscovery({ name: '', type: 'SRV', minRefreshMs: -1 });
    } catch (error) {
      expect(error instanceof BalancerConfigError && error.code).toBe('ERR_BALANCER_CONFIG');
      expect(error instanceof BalancerConfigError && error.issues.map((i) => i.path)).toEqual(['dnsDiscovery.name', 'dnsDiscovery.minRefreshMs']);
    }
  });

  it.each([
    ['127.0.0.1', true],
    ['127.0.0.1:5353', true],
    ['::1', true],
    ['[::1]:5353', true],
    ['[127.0.0.1]:53', false],
    ['127.0.0.1:65536', false],
    ['localhost:53', false],
    ['', false],
  ])('server address %j is valid: %s', (value, valid) => {
    expect(isServerAddress(value)).toBe(valid);
  });
});
