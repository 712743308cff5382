/**
 * register() against a real etcd: lease, keepalive, graceful revoke, crash expiry, lost lease.
 */
import { etcdAvailable, startEtcd, type EtcdServer } from '@datapunk/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, raw, waitFor } from './etcd.test-helpers.js';
import { register, type RegisterOptions, type Registration } from './register.js';

describe.skipIf(!etcdAvailable())('register (real etcd)', () => {
  let etcd: EtcdServer;
  const registrations: Registration[] = [];
  let port = 9000;

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterEach(async () => {
    await Promise.all(registrations.splice(0).map((r) => r.close()));
  });
  afterAll(() => etcd?.close());

  async function reg(options: Partial<RegisterOptions> = {}): Promise<Registration> {
    const r = await register({ endpoints: etcd.endpoint, service: 'orders', url: `http://127.0.0.1:${++port}`, ttlSeconds: 1, backoffBaseMs: 20, backoffMaxMs: 100, ...options });
    registrations.push(r);
    return r;
  }

  it('puts the JSON entry at <prefix><service>/<host:port> under a lease', async () => {
    const r = await reg({ weight: 2, zone: 'a', metadata: { version: '1.2.3' } });
    expect(r.key).toBe(`/datapunk/services/orders/127.0.0.1:${port}`);
    const stored = await raw.get(etcd.endpoint, r.key);
    expect(JSON.parse(stored!.value)).toEqual({ url: `http://127.0.0.1:${port}`, weight: 2, zone: 'a', metadata: { version: '1.2.3' } });
    expect(stored!.lease).toBe(r.leaseId);
  });

  it('keeps the lease alive well past its TTL', async () => {
    const r = await reg({ ttlSeconds: 1 });
    const started = performance.now();
    const lease = r.leaseId;
    // Without keepalives the key would be gone after about 1 s (the TTL plus etcd's expiry sweep).
    await waitFor('2 TTLs with the key alive', async () => {
      expect((await raw.get(etcd.endpoint, r.key))?.lease).toBe(lease);
      return performance.now() - started > 2_000;
    });
    expect((await raw.get(etcd.endpoint, r.key))?.lease).toBe(lease);
    expect(r.leaseId).toBe(lease);
  });

  it('close() revokes the lease: the key is gone when it resolves', async () => {
    const r = await reg({ ttlSeconds: 30 });
    expect(await raw.get(etcd.endpoint, r.key)).toBeDefined();
    await r.close();
    expect(await raw.get(etcd.endpoint, r.key)).toBeUndefined();
    expect(r.leaseId).toBeUndefined();
    await r.close(); // idempotent
  });

  it('abandon() (a crash) leaves the key until the TTL runs out', async () => {
    const r = await reg({ ttlSeconds: 1 });
    r.abandon();
    // Not revoked: the key outlives the abandon and goes only when etcd expires the lease.
    expect(await raw.get(etcd.endpoint, r.key)).toBeDefined();
    await waitFor('the key to expire', async () => (await raw.get(etcd.endpoint, r.key)) === undefined, 5_000, 10);
  });

  it('registers again with a new lease when the lease is lost', async () => {
    const log = captureLogger();
    const r = await reg({ ttlSeconds: 1, logger: log });
    const first = r.leaseId!;
    await raw.revoke(etcd.endpoint, first); // as if etcd had lost it
    expect(await raw.get(etcd.endpoint, r.key)).toBeUndefined();
    const stored = await waitFor('the key back', () => raw.get(etcd.endpoint, r.key), 3_000);
    expect(stored.lease).not.toBe(first);
    expect(stored.lease).toBe(r.leaseId);
    expect(log.lines.map((l) => l.fields['event'])).toContain('etcd-lease-lost');
  });

  it('fails over to the next endpoint when the first is down', async () => {
    const r = await reg({ endpoints: ['http://127.0.0.1:1', etcd.endpoint] });
    expect((await raw.get(etcd.endpoint, r.key))?.lease).toBe(r.leaseId);
  });

  it('rejects with ERR_ETCD_UNAVAILABLE when no endpoint answers', async () => {
    await expect(register({ endpoints: 'http://127.0.0.1:1', service: 'orders', url: 'http://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'ERR_ETCD_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });
});
