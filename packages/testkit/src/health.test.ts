import { afterEach, describe, expect, it } from 'vitest';
import { failureOf, rawGet } from './client.test-helpers.js';
import { startServer, type TestServer, type TestServerOptions } from './server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function start(options?: TestServerOptions): Promise<TestServer> {
  server = await startServer(options);
  return server;
}

describe('health path', () => {
  it('answers its own status, independent of the main behaviour', async () => {
    const s = await start({ behavior: { errorRate: 1, health: { status: 503 } } });
    const res = await fetch(`${s.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ server: s.id, status: 503 });
    s.setBehavior({ health: { status: 200 } });
    expect((await fetch(`${s.url}/health?probe=1`)).status).toBe(200);
    expect(s.stats).toMatchObject({ total: 2, health: 2, byPath: { '/health': 2 } });
  });

  it('uses a custom health path', async () => {
    const s = await start({ healthPath: '/ready', behavior: { status: 201, health: { status: 204 } } });
    expect((await fetch(`${s.url}/ready`)).status).toBe(204);
    expect((await fetch(`${s.url}/health`)).status).toBe(201);
  });

  it('hangs health probes only', async () => {
    const s = await start({ behavior: { health: { hang: true } } });
    expect(await failureOf(fetch(`${s.url}/health`, { signal: AbortSignal.timeout(100) }))).toBe('TimeoutError');
    expect((await fetch(`${s.url}/x`)).status).toBe(200);
    expect(s.stats.hangs).toBe(1);
  });

  it('redirects with 302 and a Location header', async () => {
    const s = await start({ behavior: { health: { redirectTo: 'http://127.0.0.1:1/elsewhere' } } });
    const res = await fetch(`${s.url}/health`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere');
    await res.arrayBuffer();
  });

  it('resets the connection', async () => {
    const s = await start({ behavior: { health: { resetConnection: true } } });
    await expect(rawGet(`${s.url}/health`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(s.stats.resets).toBe(1);
  });

  it('streams a 50 MB body in chunks and stops when the client goes away', async () => {
    const s = await start({ behavior: { health: { bodyBytes: 50 * 1024 * 1024 } } });
    const before = process.memoryUsage();
    const res = await rawGet(`${s.url}/health`, 64 * 1024);
    await s.whenIdle();
    const after = process.memoryUsage();
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(50 * 1024 * 1024));
    expect(res.bytesRead).toBeLessThan(1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(16 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
  });
});
