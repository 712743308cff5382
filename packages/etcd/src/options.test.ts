import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { captureLogger } from './etcd.test-helpers.js';
import { etcdDiscovery } from './discovery.js';
import { EtcdConfigError, EtcdError, EtcdErrorCodes, isEtcdError } from './errors.js';
import { resolveRegisterConfig } from './register.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EtcdConfigError);
    expect(error).toBeInstanceOf(EtcdError);
    expect(isEtcdError(error) && error.code).toBe('ERR_ETCD_CONFIG');
    return (error as EtcdConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected an EtcdConfigError');
}

describe('etcdDiscovery options', () => {
  it('lists every problem with its path at once', () => {
    const list = problems(() =>
      etcdDiscovery({
        endpoints: ['http://127.0.0.1:2379', 'etcd:2379', 'http://h:1/path'],
        service: 'a/b',
        prefix: 'services',
        backoffBaseMs: -1,
        requestTimeoutMs: 0,
        maxValueBytes: 1.5,
        watchCheckIntervalms: 5,
      } as never),
    );
    expect(list).toEqual([
      expect.stringMatching(/^watchCheckIntervalms: unknown option/),
      expect.stringMatching(/^endpoints\[1\]: expected an etcd client URL/),
      expect.stringMatching(/^endpoints\[2\]: expected an etcd client URL/),
      'service: expected a service name without "/", got "a/b"',
      'prefix: expected a key prefix starting with "/", got "services"',
      'backoffBaseMs: expected an integer number of milliseconds >= 0, got -1',
      'requestTimeoutMs: expected an integer number of milliseconds >= 1, got 0',
      'maxValueBytes: expected an integer number of milliseconds >= 1, got 1.5',
    ]);
  });

  it('defaults the prefix to /datapunk/services/ and keeps zero a value', () => {
    const source = etcdDiscovery({ endpoints: 'http://127.0.0.1:2379', service: 'orders', watchCheckIntervalMs: 0, backoffBaseMs: 0 });
    expect(source.kind).toBe('etcd');
    expect(source.directory).toBe('/datapunk/services/orders/');
    expect(source.revision).toBeUndefined();
  });
});

describe('auth option and credentials in endpoints', () => {
  it('names each problem and never shows the password', () => {
    const list = problems(() =>
      etcdDiscovery({
        endpoints: ['https://app:hunter2@127.0.0.1:2379', 'app:hunter2@127.0.0.1:2379'],
        service: 'orders',
        auth: { username: '', password: 42, user: 'x' },
      } as never),
    );
    expect(list).toEqual([
      'endpoints[0]: expected no credentials in the URL (use the auth option), got "https://***@127.0.0.1:2379"',
      'endpoints[1]: expected an etcd client URL like "http://127.0.0.1:2379", got "***@127.0.0.1:2379"',
      'auth.user: unknown option (known: username, password)',
      'auth.username: expected a non-empty string, got an empty string',
      'auth.password: expected a non-empty string, got number',
    ]);
    expect(list.join('\n')).not.toContain('hunter2');
  });

  it('keeps the password out of the resolved config', () => {
    const config = resolveRegisterConfig({
      endpoints: 'https://127.0.0.1:2379',
      service: 'orders',
      url: 'http://10.0.0.5:8080',
      auth: { username: 'app', password: 'hunter2' },
    });
    expect(config.auth?.username).toBe('app');
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(inspect(config, { depth: 10 })).not.toContain('hunter2');
  });

  it('warns once when credentials would go over plain http or certificates are not verified', () => {
    const log = captureLogger();
    etcdDiscovery({ endpoints: ['http://127.0.0.1:2379', 'https://127.0.0.1:2380'], service: 'orders', auth: { username: 'app', password: 'pw' }, tls: { rejectUnauthorized: false }, logger: log });
    expect(log.lines.map((l) => [l.level, l.fields['event']])).toEqual([
      ['warn', 'etcd-tls-unverified'],
      ['warn', 'etcd-auth-plaintext'],
    ]);
    expect(log.lines[1]?.fields['endpoints']).toEqual(['http://127.0.0.1:2379']);
  });
});

describe('register options', () => {
  it('validates the instance like the balancer does, and the TTL', () => {
    const list = problems(() =>
      resolveRegisterConfig({ endpoints: 'http://127.0.0.1:2379', service: 'orders', url: 'http://h:1/x', weight: 0, ttlSeconds: 0.5 }),
    );
    expect(list).toEqual([
      expect.stringMatching(/^url: expected an origin without path/),
      expect.stringMatching(/^weight: expected an integer from 1/),
      'ttlSeconds: expected an integer number of seconds from 1 to 86400, got 0.5',
    ]);
  });

  it('stores the normalised entry at <prefix><service>/<host:port>', () => {
    const config = resolveRegisterConfig({ endpoints: 'http://127.0.0.1:2379', service: 'orders', url: 'HTTP://10.0.0.5:8080', zone: 'a' });
    expect(config.key).toBe('/datapunk/services/orders/10.0.0.5:8080');
    expect(JSON.parse(config.value)).toEqual({ url: 'http://10.0.0.5:8080', zone: 'a' });
    expect(config.ttlSeconds).toBe(10);
  });
});

describe('errors', () => {
  it('are branded: instanceof checks the code, and survive a second copy of the class', () => {
    const unavailable = new EtcdError(EtcdErrorCodes.UNAVAILABLE, 'down');
    expect(unavailable).toBeInstanceOf(EtcdError);
    expect(unavailable).not.toBeInstanceOf(EtcdConfigError);
    const foreign = Object.assign(new Error('from another copy'), { code: 'ERR_ETCD_CONFIG' });
    Object.defineProperty(foreign, Symbol.for('@datapunk/balancer-etcd/error'), { value: true });
    expect(foreign).toBeInstanceOf(EtcdConfigError);
    expect(isEtcdError(new Error('plain'))).toBe(false);
  });
});

describe('secrets in etcd options', () => {
  it('an endpoint with credentials that is refused is shown as http://***@host', () => {
    const list = problems(() => etcdDiscovery({ endpoints: ['http://root:hunter2@127.0.0.1:2379/v3'], service: 'orders' }));
    expect(list).toEqual(['endpoints[0]: expected an etcd client URL like "http://127.0.0.1:2379", got "http://***@127.0.0.1:2379/v3"']);
  });
});

