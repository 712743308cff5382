/**
 * etcd as production runs it: a real etcd serving https only (certificates made by the test) with
 * auth enabled and a role-scoped user whose tokens etcd forgets after 2 s unused. Discovery and
 * registration end to end through a balancer, the watch across an etcd restart, token expiry
 * handled without an error, and a watch refused for a stale token reopened with a fresh one.
 */
import { execFileSync } from 'node:child_process';
import { inspect } from 'node:util';
import { createBalancer, type Balancer } from '@datapunk/balancer';
import type { DiscoverySink } from '@datapunk/balancer/adapter';
import { etcdAvailable, startEtcd, startFleet, type EtcdServer } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdDiscovery, type EtcdDiscoveryOptions } from './discovery.js';
import { betweenReadAndWatch, captureLogger, raw, send, waitFor, waitForTokenExpiry, type LogLine } from './etcd.test-helpers.js';
import { register, type RegisterOptions } from './register.js';

const USER = 'orders-app';
const PASSWORD = 'orders-app-password-do-not-log';
const TOKEN_TTL_SECONDS = 2;
const FAST = { backoffBaseMs: 20, backoffMaxMs: 200 } as const;

/** A sink that records each delivered list (as origins) and each error. */
function recorder(): DiscoverySink & { lists: string[][]; errors: unknown[]; last(): string[] | undefined } {
  const lists: string[][] = [];
  const errors: unknown[] = [];
  return {
    lists,
    errors,
    last: () => lists.at(-1),
    update: (entries) => lists.push(entries.map((e) => (e as { url: string }).url)),
    error: (error) => errors.push(error),
  };
}

const entry = (port: number): string => JSON.stringify({ url: `http://127.0.0.1:${port}` });
const reauthentications = (log: readonly LogLine[]): LogLine[] =>
  log.filter((l) => l.fields['event'] === 'etcd-authenticated' && l.fields['reason'] === 'token-rejected');

/** No password, key or etcd token in anything the package logged or reported. */
function expectNoSecrets(etcd: EtcdServer, ...things: unknown[]): void {
  const text = JSON.stringify(things, (_, value: unknown) => (value instanceof Error ? { ...value, message: value.message, cause: value.cause } : value));
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(etcd.rootPassword!);
  expect(text).not.toContain(etcd.pki!.client.key.split('\n')[1]!);
  expect(text).not.toMatch(/[A-Za-z]{16}\.\d+/); // etcd's simple token shape
}

describe.skipIf(!etcdAvailable())('etcd with TLS and auth (real etcd)', () => {
  let etcd: EtcdServer;
  let counter = 0;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    etcd = await startEtcd({
      tls: true,
      auth: { users: [{ name: USER, password: PASSWORD, prefix: '/datapunk/services/' }], tokenTtlSeconds: TOKEN_TTL_SECONDS },
    });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => etcd?.close());

  const secured = (): { endpoints: string; tls: { ca: string }; auth: { username: string; password: string } } => ({
    endpoints: etcd.endpoint,
    tls: { ca: etcd.pki!.ca },
    auth: { username: USER, password: PASSWORD },
  });

  function source(options: Partial<EtcdDiscoveryOptions> = {}) {
    const service = `secure${++counter}`;
    const s = etcdDiscovery({ ...secured(), service, ...FAST, ...options });
    cleanups.push(async () => s.close());
    return { service, dir: `/datapunk/services/${service}/`, source: s };
  }

  async function registered(options: Partial<RegisterOptions> & { service: string; url: string }) {
    const r = await register({ ...secured(), ttlSeconds: 2, ...FAST, ...options });
    cleanups.push(() => r.close());
    return r;
  }

  it('registration and discovery end to end: a balancer routes to instances that registered over TLS with auth', async () => {
    const service = `secure${++counter}`;
    const fleet = await startFleet({ count: 2 });
    cleanups.push(() => fleet.close({ graceMs: 0 }));
    const log = captureLogger();
    const regs = await Promise.all(fleet.servers.map((s) => registered({ service, url: s.url, logger: log })));
    const balancer: Balancer = createBalancer({
      services: { orders: { discovery: etcdDiscovery({ ...secured(), service, logger: log, ...FAST }), strategy: 'round-robin' } },
      logger: log,
    });
    cleanups.push(() => balancer.close());
    const urls = (): string[] => (balancer.snapshot().services['orders']?.instances ?? []).map((i) => i.url).sort();
    await waitFor('both instances discovered', () => urls().length === 2);
    const results = await Promise.all(Array.from({ length: 6 }, () => send(balancer)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(results.map((r) => r.origin))).toEqual(new Set(fleet.urls));

    await regs[0]!.close(); // graceful deregistration revokes the lease, with the token
    await waitFor('the deregistered instance gone', () => urls().length === 1);
    expect(urls()).toEqual([fleet.urls[1]]);
    expect(log.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    expect(log.lines.some((l) => l.fields['event'] === 'etcd-authenticated' && l.fields['reason'] === 'first-call')).toBe(true);
    expectNoSecrets(etcd, log.lines, balancer.snapshot());
  });

  it('no password, key or token in util.inspect of a live source or registration', async () => {
    const service = `secure${++counter}`;
    const pki = etcd.pki!;
    // With a client key too (etcd does not ask for it here; it is only held).
    const tls = { ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
    const r = await registered({ service, url: 'http://127.0.0.1:1009', tls });
    const s = etcdDiscovery({ ...secured(), tls, service, ...FAST });
    cleanups.push(async () => s.close());
    const sink = recorder();
    s.start(sink);
    await waitFor('the list', () => sink.lists.length === 1);
    const text = inspect([s, r], { depth: Infinity, showHidden: true, getters: true });
    expect(text).toContain('orders-app');
    expectNoSecrets(etcd, text);
  });

  it('the watch resumes after an etcd crash and restart, with the change made right after it', async () => {
    const log = captureLogger();
    const { dir, source: s } = source({ logger: log });
    const r = await registered({ service: dir.split('/')[3]!, url: 'http://127.0.0.1:1001', logger: log });
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);

    await etcd.kill();
    await waitFor('the outage reported', () => sink.errors.length >= 1);
    await waitFor('a keepalive failing', () => log.lines.some((l) => l.fields['event'] === 'etcd-keepalive-failed'));
    expect(sink.errors[0]).toMatchObject({ code: 'ERR_ETCD_UNAVAILABLE', endpoint: etcd.endpoint, message: expect.stringContaining(etcd.endpoint) });
    await etcd.restart();
    await etcd.call('/v3/kv/put', { key: Buffer.from(`${dir}b`).toString('base64'), value: Buffer.from(entry(1002)).toString('base64') });
    await waitFor('the change made after the restart', () => sink.last()?.length === 2);
    expect(sink.last()).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']);
    // The registration's lease survived the restart and is kept alive again.
    const lease = r.leaseId;
    await waitFor('a keepalive after the restart', () => log.lines.some((l) => l.fields['event'] === 'etcd-registration-recovered'));
    expect(r.leaseId).toBe(lease);
    expect((await raw.get(etcd, r.key))?.lease).toBe(lease);
    expect(log.lines.filter((l) => l.fields['event'] === 'etcd-lease-lost')).toEqual([]);
    expectNoSecrets(etcd, log.lines, sink.errors);
  });

  it('an expired token is replaced without an error: the next liveness check authenticates again', async () => {
    const log = captureLogger();
    // The liveness check is the only call while the watch is open: 4 s apart, the token (2 s
    // TTL, checked each second by etcd) has expired by each check.
    const { dir, source: s } = source({ logger: log, watchCheckIntervalMs: 4_000 });
    const sink = recorder();
    s.start(sink);
    await waitFor('the first list', () => sink.lists.length === 1);
    await waitFor('a liveness check that found the token expired', () => reauthentications(log.lines).length >= 1, 15_000);
    // The watch opened before the token expired still delivers.
    await etcd.call('/v3/kv/put', { key: Buffer.from(`${dir}a`).toString('base64'), value: Buffer.from(entry(1001)).toString('base64') });
    await waitFor('a change after the expiry', () => sink.last()?.length === 1);
    expect(sink.errors).toEqual([]);
    expect(log.lines.filter((l) => l.fields['event'] === 'etcd-discovery-failed')).toEqual([]);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('registration re-registers with a new token when the lease is lost after its token expired', async () => {
    const log = captureLogger();
    const r = await registered({ service: `secure${++counter}`, url: 'http://127.0.0.1:1003', ttlSeconds: 1, logger: log });
    const first = r.leaseId!;
    // Keepalives need no token in etcd 3.4, so the registration's token ages from its put.
    await waitForTokenExpiry(etcd, USER, PASSWORD);
    await raw.revoke(etcd, first); // as if etcd had lost the lease
    const stored = await waitFor('the key back under a new lease', async () => {
      const kv = await raw.get(etcd, r.key);
      return kv && kv.lease !== first ? kv : undefined;
    });
    expect(stored.lease).toBe(r.leaseId);
    expect(reauthentications(log.lines)).toHaveLength(1);
    expect(log.lines.filter((l) => l.fields['event'] === 'etcd-keepalive-failed')).toEqual([]);
    expectNoSecrets(etcd, log.lines);
  });

  it('a watch refused for a stale token is reopened with a fresh one, without an error', async () => {
    const log = captureLogger();
    const { dir, source: s } = source({ logger: log });
    const sink = recorder();
    // Setting the user's password (to the same value) makes etcd forget every token of the user.
    const forgetTokens = (): void => {
      execFileSync(process.execPath, ['--input-type=module', '-e', changePasswordScript(etcd, USER, PASSWORD)], { stdio: ['ignore', 'ignore', 'inherit'] });
    };
    s.start(betweenReadAndWatch(sink, forgetTokens));
    await waitFor('the watch reopened after the refusal', () => reauthentications(log.lines).length === 1);
    await etcd.call('/v3/kv/put', { key: Buffer.from(`${dir}a`).toString('base64'), value: Buffer.from(entry(1001)).toString('base64') });
    await waitFor('a change seen by the reopened watch', () => sink.last()?.length === 1);
    expect(sink.lists).toHaveLength(2);
    expect(sink.errors).toEqual([]);
  });
});

/** A script for a synchronous child: as root, set `user`'s password (etcd drops its tokens). */
function changePasswordScript(etcd: EtcdServer, user: string, password: string): string {
  return `
    import { request } from 'node:https';
    const ca = ${JSON.stringify(etcd.pki!.ca)};
    const post = (path, body, token) => new Promise((resolve, reject) => {
      const req = request('${etcd.endpoint}' + path, { method: 'POST', ca, headers: token ? { authorization: token } : {} }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(path + ' ' + text))));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
    const { token } = await post('/v3/auth/authenticate', { name: 'root', password: ${JSON.stringify(etcd.rootPassword)} });
    await post('/v3/auth/user/changepw', { name: ${JSON.stringify(user)}, password: ${JSON.stringify(password)} }, token);
  `;
}
