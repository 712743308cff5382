/** Turning DNS answers into instance lists: A/AAAA origins, SRV priority/weight/port, bad records. */
import { describe, expect, it } from 'vitest';
import { parseInstanceList } from '../instance/entry.js';
import { lookupAnswer, normaliseTtl, refreshDelayMs, scaleWeights, skippedEntry } from './dns-answer.js';
import { resolveDnsConfig, type DnsDiscoveryOptions } from './dns-config.js';
import { FakeResolver } from './dns.test-helpers.js';

const answer = (resolver: FakeResolver, options: Omit<DnsDiscoveryOptions, 'resolver'>) =>
  lookupAnswer(resolver, resolveDnsConfig({ ...options, resolver }));

const srv = (name: string, port: number, priority: number, weight: number) => ({ name, port, priority, weight });

describe('refresh delay and TTLs', () => {
  it.each([
    [5, 5_000],
    [0, 1_000],
    [0.2, 1_000],
    [29, 29_000],
    [86_400, 30_000],
    [undefined, 30_000],
  ])('TTL %s s waits %i ms with floor 1 s and ceiling 30 s', (ttl, ms) => {
    expect(refreshDelayMs(ttl, 1_000, 30_000)).toBe(ms);
  });

  it.each([
    [300, 300],
    [0, 0],
    [2 ** 31, 0],
    [-1, undefined],
    [Number.NaN, undefined],
    ['5', undefined],
  ])('TTL %s normalises to %s', (raw, ttl) => {
    expect(normaliseTtl(raw)).toBe(ttl);
  });

  it('scales weights above 10,000 proportionally instead of clamping them', () => {
    expect(scaleWeights([1, 50, 100])).toEqual([1, 50, 100]);
    expect(scaleWeights([20_000, 60_000])).toEqual([3_333, 10_000]);
    expect(scaleWeights([1, 65_535])).toEqual([1, 10_000]);
  });
});

describe('A and AAAA answers', () => {
  it('maps each address to protocol//ip:port (IPv6 in brackets) and takes the smallest TTL', async () => {
    const r = new FakeResolver()
      .set('A', 'orders.internal', [{ address: '10.0.0.1', ttl: 30 }, { address: '10.0.0.2', ttl: 7 }])
      .set('AAAA', 'orders.internal', [{ address: 'fd00::1', ttl: 12 }]);
    expect(await answer(r, { name: 'orders.internal', port: 8443, protocol: 'https:' })).toEqual({
      kind: 'list',
      entries: ['https://10.0.0.1:8443', 'https://10.0.0.2:8443', 'https://[fd00::1]:8443'],
      usable: 3,
      ttlS: 7,
    });
    expect(r.calls).toEqual(['A orders.internal', 'AAAA orders.internal']);
  });

  it('queries only the family asked for', async () => {
    const r = new FakeResolver().set('A', 'orders', [{ address: '10.0.0.1', ttl: 1 }]);
    await answer(r, { name: 'orders', type: 'A', port: 80 });
    expect(r.calls).toEqual(['A orders']);
  });

  it.each<[string, string, string, string]>([
    ['NODATA for both', 'ENODATA', 'ENODATA', 'NODATA'],
    ['NXDOMAIN for both', 'ENOTFOUND', 'ENOTFOUND', 'NXDOMAIN'],
    ['NODATA and NXDOMAIN', 'ENODATA', 'ENOTFOUND', 'NXDOMAIN'],
  ])('%s is an empty answer', async (_name, a, aaaa, reason) => {
    const r = new FakeResolver().set('A', 'orders', a).set('AAAA', 'orders', aaaa);
    expect(await answer(r, { name: 'orders', port: 80 })).toEqual({ kind: 'empty', reason });
  });

  it('an empty record array counts as NODATA', async () => {
    const r = new FakeResolver().set('A', 'orders', []).set('AAAA', 'orders', 'ENODATA');
    expect(await answer(r, { name: 'orders', port: 80 })).toEqual({ kind: 'empty', reason: 'NODATA' });
  });

  it('records in one family and NODATA in the other give the records', async () => {
    const r = new FakeResolver().set('A', 'orders', [{ address: '10.0.0.1', ttl: 5 }]).set('AAAA', 'orders', 'ENODATA');
    expect(await answer(r, { name: 'orders', port: 80 })).toMatchObject({ kind: 'list', entries: ['http://10.0.0.1:80'], usable: 1 });
  });

  it('a failure in either family fails the whole lookup (no partial list)', async () => {
    const r = new FakeResolver().set('A', 'orders', [{ address: '10.0.0.1', ttl: 5 }]).set('AAAA', 'orders', 'ESERVFAIL');
    await expect(answer(r, { name: 'orders', port: 80 })).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('an address of the wrong family is skipped with its problem; the others are used', async () => {
    const r = new FakeResolver().set('A', 'orders', [{ address: '10.0.0.1', ttl: 5 }, { address: 'fd00::9', ttl: 5 }, { address: 'x', ttl: 5 }]);
    const got = await answer(r, { name: 'orders', type: 'A', port: 80 });
    expect(got).toEqual({
      kind: 'list',
      entries: [
        'http://10.0.0.1:80',
        'DNS record skipped (not an IPv4 address): A orders -> "fd00::9"',
        'DNS record skipped (not an IPv4 address): A orders -> "x"',
      ],
      usable: 1,
      ttlS: 5,
    });
  });
});

describe('SRV answers', () => {
  const name = '_http._tcp.orders.internal';

  it('uses the lowest priority group only, with each record port and weight (0 becomes 1)', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [srv('a.internal', 8081, 10, 60), srv('b.internal', 8082, 10, 0), srv('c.internal', 8083, 20, 100)])
      .set('A', 'a.internal', [{ address: '10.0.0.1', ttl: 9 }])
      .set('A', 'b.internal', [{ address: '10.0.0.2', ttl: 4 }]);
    expect(await answer(r, { name, type: 'SRV', targetType: 'A' })).toEqual({
      kind: 'list',
      entries: [
        { url: 'http://10.0.0.1:8081', weight: 60, metadata: { srvTarget: 'a.internal', srvPriority: '10' } },
        { url: 'http://10.0.0.2:8082', weight: 1, metadata: { srvTarget: 'b.internal', srvPriority: '10' } },
      ],
      usable: 2,
      ttlS: 4,
    });
    // The failover group is not resolved while the first one works.
    expect(r.calls).toEqual([`SRV ${name}`, 'A a.internal', 'A b.internal']);
  });

  it('fails over to the next priority group when no record of the lowest resolves', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [srv('gone.internal', 8081, 1, 10), srv('c.internal', 8083, 2, 5)])
      .set('A', 'c.internal', [{ address: '10.0.0.3', ttl: 5 }]);
    const got = await answer(r, { name, type: 'SRV', targetType: 'A' });
    expect(got).toEqual({
      kind: 'list',
      entries: [
        { url: 'http://10.0.0.3:8083', weight: 5, metadata: { srvTarget: 'c.internal', srvPriority: '2' } },
        `DNS record skipped (target does not resolve: NXDOMAIN): SRV ${name} -> "gone.internal":8081 priority 1 weight 10`,
      ],
      usable: 1,
      ttlS: 5,
    });
  });

  it('uses IP-literal targets directly (no TTL: the refresh waits the ceiling) and resolves both families by default', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [srv('127.0.0.1', 9001, 0, 1), srv('::1', 9002, 0, 1), srv('d.internal', 9003, 0, 1)])
      .set('A', 'd.internal', 'ENODATA')
      .set('AAAA', 'd.internal', [{ address: 'fd00::4', ttl: 3 }]);
    const got = await answer(r, { name, type: 'SRV' });
    expect(got.kind === 'list' && got.entries.map((e) => (e as { url: string }).url)).toEqual([
      'http://127.0.0.1:9001',
      'http://[::1]:9002',
      'http://[fd00::4]:9003',
    ]);
    expect(r.calls).toEqual([`SRV ${name}`, 'A d.internal', 'AAAA d.internal']);
    const literalsOnly = new FakeResolver().set('SRV', name, [srv('127.0.0.1', 9001, 0, 1)]);
    expect(await answer(literalsOnly, { name, type: 'SRV' })).toMatchObject({ ttlS: undefined });
  });

  it('adds the weights of records that point at the same address and port, and scales weights above 10,000', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [srv('a.internal', 80, 0, 20_000), srv('alias.internal', 80, 0, 20_000), srv('b.internal', 80, 0, 20_000)])
      .set('A', 'a.internal', [{ address: '10.0.0.1', ttl: 5 }])
      .set('A', 'alias.internal', [{ address: '10.0.0.1', ttl: 5 }])
      .set('A', 'b.internal', [{ address: '10.0.0.2', ttl: 5 }]);
    const got = await answer(r, { name, type: 'SRV', targetType: 'A' });
    expect(got.kind === 'list' && got.entries).toEqual([
      { url: 'http://10.0.0.1:80', weight: 10_000, metadata: { srvTarget: 'a.internal,alias.internal', srvPriority: '0' } },
      { url: 'http://10.0.0.2:80', weight: 5_000, metadata: { srvTarget: 'b.internal', srvPriority: '0' } },
    ]);
  });

  it('skips bad records with their problem and keeps the good ones', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [
        srv('a.internal', 8081, 0, 10),
        srv('b.internal', 0, 0, 10),
        srv('b.internal', 8082, 0, 70_000),
        srv('b.internal', 8083, -1, 10),
        srv('not a host', 8084, 0, 10),
        srv('gone.internal', 8085, 0, 10),
        srv('.', 0, 0, 0),
      ])
      .set('A', 'a.internal', [{ address: '10.0.0.1', ttl: 5 }])
      .set('A', 'gone.internal', 'ENOTFOUND')
      .set('AAAA', 'gone.internal', 'ENOTFOUND')
      .set('AAAA', 'a.internal', 'ENODATA');
    const got = await answer(r, { name, type: 'SRV' });
    expect(got).toEqual({
      kind: 'list',
      entries: [
        { url: 'http://10.0.0.1:8081', weight: 10, metadata: { srvTarget: 'a.internal', srvPriority: '0' } },
        `DNS record skipped (port 0): SRV ${name} -> "b.internal":0 priority 0 weight 10`,
        `DNS record skipped (weight 70000 out of range): SRV ${name} -> "b.internal":8082 priority 0 weight 70000`,
        `DNS record skipped (priority -1 out of range): SRV ${name} -> "b.internal":8083 priority -1 weight 10`,
        `DNS record skipped (target is not a host name): SRV ${name} -> "not a host":8084 priority 0 weight 10`,
        `DNS record skipped (target does not resolve: NXDOMAIN): SRV ${name} -> "gone.internal":8085 priority 0 weight 10`,
      ],
      usable: 1,
      ttlS: 5,
    });
  });

  it('a list of only "." targets is NODATA (the service is decidedly not available); NXDOMAIN stays NXDOMAIN', async () => {
    const dot = new FakeResolver().set('SRV', name, [srv('.', 0, 0, 0)]);
    expect(await answer(dot, { name, type: 'SRV' })).toEqual({ kind: 'empty', reason: 'NODATA' });
    expect(await answer(new FakeResolver(), { name, type: 'SRV' })).toEqual({ kind: 'empty', reason: 'NXDOMAIN' });
  });

  it('a transient failure resolving a target fails the whole lookup', async () => {
    const r = new FakeResolver()
      .set('SRV', name, [srv('a.internal', 80, 0, 1), srv('b.internal', 80, 0, 1)])
      .set('A', 'a.internal', [{ address: '10.0.0.1', ttl: 5 }])
      .set('A', 'b.internal', 'ETIMEOUT');
    await expect(answer(r, { name, type: 'SRV', targetType: 'A' })).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });
});

describe('skipped records reach the service as entries it rejects with the problem', () => {
  it('never parses as an origin, and the problem leads the message', () => {
    const entry = skippedEntry('port 0', 'SRV _http._tcp.a-rather-long-service-name.with.many.labels.internal -> "b":0 priority 0 weight 10');
    const { specs, rejected } = parseInstanceList(['http://10.0.0.1:8080', entry], 'dns');
    expect(specs.map((s) => s.id)).toEqual(['http://10.0.0.1:8080']);
    expect(rejected).toEqual([{ path: 'dns[1]', message: expect.stringContaining('got "DNS record skipped (port 0): SRV _http._tcp.') as unknown }]);
  });
});
