/**
 * startEtcd as production runs it: TLS with a test PKI (client certificates optional) and auth
 * with root and a role-scoped user.
 */
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from './etcd-auth.js';
import { etcdAvailable } from './etcd-binary.js';
import { gatewayPost } from './etcd-client.js';
import { startEtcd, type EtcdServer } from './etcd-server.js';
import { createTestPki } from './pki.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('createTestPki', () => {
  it('makes a CA whose server certificate names 127.0.0.1 and a client certificate, both signed by it', async () => {
    const pki = await createTestPki({ clientName: 'tester' });
    const ca = new X509Certificate(pki.ca);
    const server = new X509Certificate(pki.server.cert);
    const client = new X509Certificate(pki.client.cert);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('etcd.test')).toBe('etcd.test');
    expect(client.subject).toBe('CN=tester');
    const other = await createTestPki();
    expect(server.verify(new X509Certificate(other.ca).publicKey)).toBe(false);
    expect(new X509Certificate(other.client.cert).subject).toBe('O=datapunk test client');
  });
});

describe.skipIf(!etcdAvailable())('startEtcd with tls and auth', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: true, auth: { users: [{ name: 'app', password: 'app-secret', prefix: '/app/' }], tokenTtlSeconds: 2 } });
  });
  afterAll(() => etcd?.close());

  it('serves https with the test CA only', async () => {
    expect(etcd.endpoint).toBe(`https://127.0.0.1:${etcd.clientPort}`);
    expect(etcd.clientTls).toEqual({ ca: etcd.pki!.ca });
    const other = await createTestPki();
    await expect(gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/') }, { tls: { ca: other.ca } })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('requires a token, and the user may only touch its prefix', async () => {
    const anonymous = await gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/app/x') }, { tls: etcd.clientTls });
    expect(anonymous).toMatchObject({ status: 400, body: { code: 3, message: 'etcdserver: user name is empty' } });
    const token = await authenticate(etcd.endpoint, etcd.clientTls, 'app', 'app-secret');
    const own = await gatewayPost(etcd.endpoint, '/v3/kv/put', { key: b64('/app/x'), value: b64('1') }, { tls: etcd.clientTls, token });
    expect(own.status).toBe(200);
    const other = await gatewayPost(etcd.endpoint, '/v3/kv/put', { key: b64('/other'), value: b64('1') }, { tls: etcd.clientTls, token });
    expect(other).toMatchObject({ status: 403, body: { code: 7 } });
    await expect(authenticate(etcd.endpoint, etcd.clientTls, 'app', 'wrong')).rejects.toThrow(/authentication failed/);
  });

  it('call() works as root across a restart, with auth still on', async () => {
    await etcd.call('/v3/kv/put', { key: b64('/root-only'), value: b64('yes') });
    await etcd.restart();
    const res = await etcd.call('/v3/kv/range', { key: b64('/root-only') });
    expect((res['kvs'] as unknown[]).length).toBe(1);
    const anonymous = await gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/root-only') }, { tls: etcd.clientTls });
    expect(anonymous.status).toBe(400);
  });

  it('useCertificates() serves another CA from the next start, and close() removes every directory', async () => {
    const original = etcd.pki!;
    const rotated = await createTestPki();
    etcd.useCertificates(rotated);
    await etcd.restart();
    await expect(gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/') }, { tls: { ca: original.ca } })).rejects.toThrow();
    expect(etcd.clientTls?.ca).toBe(rotated.ca);
    await etcd.call('/v3/kv/range', { key: b64('/') });
    etcd.useCertificates(original);
    await etcd.restart();
    const dir = etcd.dataDir;
    const other = await startEtcd({ tls: true });
    await other.close();
    expect(existsSync(other.dataDir)).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });
});

describe.skipIf(!etcdAvailable())('startEtcd with client certificates required', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: { clientCertAuth: true } });
  });
  afterAll(() => etcd?.close());

  it('accepts the client certificate and refuses a connection without one', async () => {
    expect(etcd.clientTls).toEqual({ ca: etcd.pki!.ca, ...etcd.pki!.client });
    expect((await gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/') }, { tls: etcd.clientTls })).status).toBe(200);
    await expect(gatewayPost(etcd.endpoint, '/v3/kv/range', { key: b64('/') }, { tls: { ca: etcd.pki!.ca } })).rejects.toThrow();
  });
});
