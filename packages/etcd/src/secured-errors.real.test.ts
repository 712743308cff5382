/**
 * A secured etcd refusing the client: a wrong password, a CA that does not sign the server's
 * certificate (from the start, or after etcd's certificate was rotated), a server name the
 * certificate does not carry, a missing client certificate. Each is a clear error naming the
 * endpoint and the cause, discovery keeps the last good list and keeps retrying, nothing crashes,
 * and no secret shows.
 */
import { createBalancer, type Balancer } from '@datapunk/balancer';
import type { DiscoverySink } from '@datapunk/balancer/adapter';
import { createTestPki, etcdAvailable, startEtcd, type EtcdServer, type TestPki } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdDiscovery, type EtcdDiscoveryOptions } from './discovery.js';
import { captureLogger, raw, waitFor, type LogLine } from './etcd.test-helpers.js';
import { register } from './register.js';

const USER = 'orders-app';
const PASSWORD = 'orders-app-password-do-not-log';
const ROTATED = 'rotated-password-do-not-log';
const FAST = { backoffBaseMs: 20, backoffMaxMs: 200 } as const;

function recorder(): DiscoverySink & { lists: unknown[][]; errors: unknown[] } {
  const lists: unknown[][] = [];
  const errors: unknown[] = [];
  return { lists, errors, update: (entries) => lists.push([...entries]), error: (error) => errors.push(error) };
}

/** Node 24 (OpenSSL 3.5) words TLS errors a little differently from Node 20: match the parts we write. */
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const untrusted = (endpoint: string): RegExp =>
  new RegExp(`^etcd ${escape(endpoint)}: TLS handshake failed: the server's certificate is not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE \\(unable to verify the first certificate[^)]*\\); check tls\\.ca$`);

/** The balancer's warning for a failing source (the first failure of a streak only). */
const discoveryFailures = (log: readonly LogLine[], code: string): LogLine[] =>
  log.filter((l) => l.fields['event'] === 'discovery-failed' && (l.fields['err'] as { code?: string }).code === code);
/** The etcd source's own failure lines. */
const sourceFailures = (log: readonly LogLine[], code?: string): LogLine[] =>
  log.filter((l) => l.fields['event'] === 'etcd-discovery-failed' && (code === undefined || (l.fields['err'] as { code?: string }).code === code));

describe.skipIf(!etcdAvailable())('a secured etcd refusing the client (real etcd)', () => {
  let etcd: EtcdServer;
  let wrong: TestPki;
  let counter = 0;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    [etcd, wrong] = await Promise.all([
      startEtcd({ tls: true, auth: { users: [{ name: USER, password: PASSWORD, prefix: '/datapunk/services/' }] } }),
      createTestPki(),
    ]);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => etcd?.close());

  const options = (more: Partial<EtcdDiscoveryOptions> = {}): EtcdDiscoveryOptions => ({
    endpoints: etcd.endpoint,
    service: `refused${++counter}`,
    tls: { ca: etcd.pki!.ca },
    auth: { username: USER, password: PASSWORD },
    ...FAST,
    ...more,
  });

  /** A balancer discovering `count` entries put as root; resolves once it has them. */
  async function balancerWith(count: number, more: Partial<EtcdDiscoveryOptions> = {}) {
    const log = captureLogger();
    const discovery = options({ logger: log, watchCheckIntervalMs: 100, ...more });
    const dir = `/datapunk/services/${discovery.service}/`;
    for (let i = 0; i < count; i++) await raw.put(etcd, `${dir}i${i}`, JSON.stringify({ url: `http://127.0.0.1:${2001 + i}` }));
    const balancer: Balancer = createBalancer({ services: { orders: { discovery: etcdDiscovery(discovery) } }, logger: log });
    cleanups.push(() => balancer.close());
    const urls = (): string[] => (balancer.snapshot().services['orders']?.instances ?? []).map((i) => i.url);
    await waitFor(`${count} instances discovered`, () => urls().length === count);
    return { balancer, log: log.lines, dir, urls };
  }

  function expectNoSecrets(...things: unknown[]): void {
    const text = JSON.stringify(things, (_, value: unknown) => (value instanceof Error ? { ...value, message: value.message, cause: value.cause } : value));
    for (const secret of [PASSWORD, ROTATED, etcd.rootPassword!]) expect(text).not.toContain(secret);
  }

  it('a wrong password: ERR_ETCD_AUTH naming the endpoint and the user; the last good list stays; the right one recovers', async () => {
    const { balancer, log, dir, urls } = await balancerWith(2);
    // The password is changed on the server (tokens of the user dropped), not in the client.
    await etcd.call('/v3/auth/user/changepw', { name: USER, password: ROTATED });
    await waitFor('the refusal reported', () => discoveryFailures(log, 'ERR_ETCD_AUTH').length >= 1);
    const failure = discoveryFailures(log, 'ERR_ETCD_AUTH')[0]!;
    expect(failure.level).toBe('warn');
    expect((failure.fields['err'] as { message: string }).message).toBe(
      `authentication as user "${USER}" failed: etcd ${etcd.endpoint} answered 400: etcdserver: authentication failed, invalid user ID or password`,
    );
    await waitFor('more retries, each refused', () => sourceFailures(log, 'ERR_ETCD_AUTH').length >= 3);
    expect(urls()).toEqual(['http://127.0.0.1:2001', 'http://127.0.0.1:2002']);
    expect(balancer.snapshot().services['orders']?.instances.map((i) => i.state)).toEqual(['healthy', 'healthy']);

    await etcd.call('/v3/auth/user/changepw', { name: USER, password: PASSWORD });
    await waitFor('discovery recovered', () => log.some((l) => l.fields['event'] === 'etcd-discovery-recovered'));
    await raw.put(etcd, `${dir}i2`, JSON.stringify({ url: 'http://127.0.0.1:2003' }));
    await waitFor('a change after the recovery', () => urls().length === 3);
    expectNoSecrets(log, balancer.snapshot());
  });

  it('register: a wrong password, and no credentials at all, reject with ERR_ETCD_AUTH naming the endpoint', async () => {
    const base = { endpoints: etcd.endpoint, service: 'orders', url: 'http://127.0.0.1:9', tls: { ca: etcd.pki!.ca } };
    const refused = register({ ...base, auth: { username: USER, password: ROTATED } });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_ETCD_AUTH', endpoint: etcd.endpoint, message: expect.stringContaining('invalid user ID or password') });
    expectNoSecrets(await refused.catch((error: unknown) => error));
    await expect(register(base)).rejects.toMatchObject({
      code: 'ERR_ETCD_AUTH',
      endpoint: etcd.endpoint,
      message: `etcd ${etcd.endpoint} answered 400: etcdserver: user name is empty (etcd requires authentication: set the auth option)`,
    });
  });

  it('an untrusted CA: ERR_ETCD_TLS naming the endpoint and tls.ca, retried without a list and without a crash', async () => {
    const sink = recorder();
    const source = etcdDiscovery(options({ tls: { ca: wrong.ca } }));
    cleanups.push(async () => source.close());
    source.start(sink);
    await waitFor('three refusals', () => sink.errors.length >= 3);
    expect(sink.lists).toEqual([]);
    for (const error of sink.errors) {
      expect(error).toMatchObject({ code: 'ERR_ETCD_TLS', endpoint: etcd.endpoint, message: expect.stringMatching(untrusted(etcd.endpoint)) });
    }
    // Node's own roots do not know the test CA either; register fails the same way.
    await expect(register({ endpoints: etcd.endpoint, service: 'orders', url: 'http://127.0.0.1:9', auth: { username: USER, password: PASSWORD } })).rejects.toMatchObject({
      code: 'ERR_ETCD_TLS',
      endpoint: etcd.endpoint,
    });
  });

  it("etcd's certificate rotated to a CA the client does not trust: ERR_ETCD_TLS, the last good list stays; rotated back, it recovers", async () => {
    const { log, dir, urls } = await balancerWith(2);
    const original = etcd.pki!;
    etcd.useCertificates(wrong);
    try {
      await etcd.restart();
      // The streak began with the restart ("stream ended"); the new cause is warned about again.
      await waitFor('the refusal reported', () => sourceFailures(log, 'ERR_ETCD_TLS').length >= 2);
      const [first, ...rest] = sourceFailures(log, 'ERR_ETCD_TLS');
      expect(first!.level).toBe('warn');
      expect(rest.every((l) => l.level === 'debug')).toBe(true);
      expect((first!.fields['err'] as { message: string }).message).toMatch(untrusted(etcd.endpoint));
      expect(urls()).toEqual(['http://127.0.0.1:2001', 'http://127.0.0.1:2002']);
    } finally {
      etcd.useCertificates(original);
      await etcd.restart();
    }
    await waitFor('discovery recovered', () => log.some((l) => l.fields['event'] === 'etcd-discovery-recovered'));
    await raw.put(etcd, `${dir}i2`, JSON.stringify({ url: 'http://127.0.0.1:2003' }));
    await waitFor('a change after the recovery', () => urls().length === 3);
  });

  it('tls.servername: the certificate is checked against it; a name it does not carry is ERR_ETCD_TLS', async () => {
    const good = recorder();
    const named = etcdDiscovery(options({ tls: { ca: etcd.pki!.ca, servername: 'etcd.test' } }));
    cleanups.push(async () => named.close());
    named.start(good);
    await waitFor('a list through etcd.test', () => good.lists.length === 1);
    expect(good.errors).toEqual([]);
    const bad = recorder();
    const misnamed = etcdDiscovery(options({ tls: { ca: etcd.pki!.ca, servername: 'other.test' } }));
    cleanups.push(async () => misnamed.close());
    misnamed.start(bad);
    await waitFor('the refusal', () => bad.errors.length >= 1);
    expect(bad.errors[0]).toMatchObject({ code: 'ERR_ETCD_TLS', message: expect.stringMatching(/does not name this host: ERR_TLS_CERT_ALTNAME_INVALID.*check tls\.servername$/) });
    expect(bad.lists).toEqual([]);
  });
});

describe.skipIf(!etcdAvailable())('etcd requiring client certificates (real etcd, --client-cert-auth)', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: { clientCertAuth: true }, auth: { users: [{ name: USER, password: PASSWORD, prefix: '/datapunk/services/' }] } });
  });
  afterAll(() => etcd?.close());

  it('registers and discovers with the client certificate and a password; without the certificate it is ERR_ETCD_TLS', async () => {
    const pki = etcd.pki!;
    const connection = { endpoints: etcd.endpoint, service: 'orders', auth: { username: USER, password: PASSWORD } };
    const registration = await register({ ...connection, url: 'http://127.0.0.1:3001', tls: { ca: pki.ca, ...pki.client } });
    const sink = recorder();
    const source = etcdDiscovery({ ...connection, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key }, ...FAST });
    source.start(sink);
    await waitFor('the registered instance', () => sink.lists.length === 1);
    expect(sink.lists[0]).toMatchObject([{ url: 'http://127.0.0.1:3001' }]);
    await source.close();
    await registration.close();

    const refused = register({ ...connection, url: 'http://127.0.0.1:3002', tls: { ca: pki.ca } });
    await expect(refused).rejects.toMatchObject({
      code: 'ERR_ETCD_TLS',
      endpoint: etcd.endpoint,
      message: expect.stringMatching(
        new RegExp(`^etcd ${escape(etcd.endpoint)}: TLS handshake failed: the server refused the handshake: ERR_SSL_SSL(V3|/TLS)_ALERT_BAD_CERTIFICATE \\(.*alert bad certificate\\); check tls\\.cert and tls\\.key$`),
      ),
    });
  });

  it('a client certificate with a common name, which etcd 3.4 refuses with auth on, is a clear ERR_ETCD_TLS', async () => {
    const original = etcd.pki!;
    const named = await createTestPki({ clientName: USER });
    etcd.useCertificates(named);
    try {
      await etcd.restart();
      const refused = register({
        endpoints: etcd.endpoint,
        service: 'orders',
        url: 'http://127.0.0.1:3003',
        tls: { ca: named.ca, ...named.client },
        auth: { username: USER, password: PASSWORD },
      });
      await expect(refused).rejects.toMatchObject({
        code: 'ERR_ETCD_TLS',
        endpoint: etcd.endpoint,
        message: expect.stringContaining('issue tls.cert without a CN'),
      });
    } finally {
      etcd.useCertificates(original);
      await etcd.restart();
    }
  });
});
