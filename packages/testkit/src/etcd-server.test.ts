import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdAvailable } from './etcd-binary.js';
import { startEtcd, type EtcdServer } from './etcd-server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function etcdPost(endpoint: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpoint + path, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

async function getValue(endpoint: string, key: string): Promise<string | undefined> {
  const res = await etcdPost(endpoint, '/v3/kv/range', { key: b64(key) });
  const kvs = res['kvs'] as { value?: string }[] | undefined;
  return kvs?.[0]?.value === undefined ? undefined : Buffer.from(kvs[0].value, 'base64').toString();
}

describe.skipIf(!etcdAvailable())('startEtcd', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.close());

  it('serves the v3 JSON gateway on a loopback port', async () => {
    expect(etcd.endpoint).toBe(`http://127.0.0.1:${etcd.clientPort}`);
    expect(etcd.peerPort).not.toBe(etcd.clientPort);
    expect(etcd.running).toBe(true);
    await etcdPost(etcd.endpoint, '/v3/kv/put', { key: b64('/k'), value: b64('v1') });
    expect(await getValue(etcd.endpoint, '/k')).toBe('v1');
  });

  it('stop() refuses connections; restart() comes back on the same port with the same data', async () => {
    await etcdPost(etcd.endpoint, '/v3/kv/put', { key: b64('/persisted'), value: b64('yes') });
    await etcd.stop();
    expect(etcd.running).toBe(false);
    await expect(fetch(`${etcd.endpoint}/health`)).rejects.toThrow();
    await etcd.restart();
    expect(etcd.running).toBe(true);
    expect(await getValue(etcd.endpoint, '/persisted')).toBe('yes');
  });

  it('kill() is a crash that restart() recovers from', async () => {
    await etcd.kill();
    expect(etcd.running).toBe(false);
    await expect(fetch(`${etcd.endpoint}/health`)).rejects.toThrow();
    await etcd.restart();
    expect(await getValue(etcd.endpoint, '/persisted')).toBe('yes');
  });

  it('two servers get distinct ports; close() removes the data directory and forbids restart', async () => {
    const other = await startEtcd();
    expect([other.clientPort, other.peerPort]).not.toContain(etcd.clientPort);
    expect(existsSync(other.dataDir)).toBe(true);
    await other.close();
    expect(other.running).toBe(false);
    expect(existsSync(other.dataDir)).toBe(false);
    await expect(other.restart()).rejects.toThrow(/closed/);
  });

  it('reports a clear error when the binary is missing', async () => {
    await expect(startEtcd({ binary: '/nonexistent/etcd' })).rejects.toThrow(/etcd exited during startup.*ENOENT/s);
  });
});
