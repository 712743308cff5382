import { afterEach, describe, expect, it } from 'vitest';
import { failureOf, rawGet } from './client.test-helpers.js';
import { seededRandom } from './random.js';
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

describe('startServer', () => {
  it('listens on loopback on a free port and names itself', async () => {
    const s = await start({ id: 'orders-1' });
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.port).toBeGreaterThan(0);
    const res = await fetch(`${s.url}/x`);
    expect(res.headers.get('x-testkit-server')).toBe('orders-1');
    expect((await res.json()) as unknown).toMatchObject({ server: 'orders-1' });
  });

  it('listens on IPv6 loopback when asked', async () => {
    const s = await start({ host: '::1' });
    expect(s.url).toBe(`http://[::1]:${s.port}`);
    expect(s.id).toBe(`server-${s.port}`);
    expect((await fetch(`${s.url}/`)).status).toBe(200);
  });

  it('echoes method, path, query, headers and body intact', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/api/v1/orders/42?a=1&b=x%20y&a=2`, {
      method: 'PUT',
      headers: { 'x-request-id': 'abc', 'content-type': 'text/plain' },
      body: 'héllo',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      method: 'PUT',
      path: '/api/v1/orders/42',
      query: { a: ['1', '2'], b: 'x y' },
      headers: { 'x-request-id': 'abc', 'content-type': 'text/plain' },
      body: 'héllo',
    });
    expect(s.requests).toEqual([
      expect.objectContaining({ method: 'PUT', url: '/api/v1/orders/42?a=1&b=x%20y&a=2', body: 'héllo', bodyTruncated: false }),
    ]);
    expect(s.stats).toMatchObject({ total: 1, health: 0, byPath: { '/api/v1/orders/42': 1 }, byStatus: { 200: 1 } });
  });

  it('keeps a bounded request log and caps echoed bodies', async () => {
    const s = await start({ requestLogLimit: 2, maxEchoBodyBytes: 4 });
    for (const path of ['/1', '/2', '/3']) await (await fetch(s.url + path, { method: 'POST', body: 'abcdefgh' })).json();
    expect(s.requests.map((r) => [r.url, r.body, r.bodyTruncated])).toEqual([
      ['/2', 'abcd', true],
      ['/3', 'abcd', true],
    ]);
    s.resetStats();
    expect(s.requests).toEqual([]);
    expect(s.stats.total).toBe(0);
  });

  it('answers every request with errorStatus and Retry-After when errorRate is 1', async () => {
    const s = await start({ behavior: { errorRate: 1, retryAfter: '2' } });
    const res = await fetch(`${s.url}/x`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ error: 'injected failure' });
    s.setBehavior({ errorStatus: 500, retryAfter: undefined });
    const next = await fetch(`${s.url}/x`);
    expect(next.status).toBe(500);
    expect(next.headers.get('retry-after')).toBeNull();
    await next.arrayBuffer();
    expect(s.stats.byStatus).toEqual({ 503: 1, 500: 1 });
  });

  it('fails about 30% of 1,000 requests with errorRate 0.3 and a seeded random', async () => {
    const s = await start({ behavior: { errorRate: 0.3 }, random: seededRandom(2024) });
    let failed = 0;
    for (let batch = 0; batch < 40; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 25 }, async () => {
          const res = await fetch(`${s.url}/x`);
          await res.arrayBuffer();
          return res.status;
        }),
      );
      failed += statuses.filter((status) => status === 503).length;
    }
    expect(failed).toBeGreaterThan(270);
    expect(failed).toBeLessThan(330);
    expect(s.stats).toMatchObject({ total: 1000, byStatus: { 503: failed, 200: 1000 - failed } });
  });

  it('resets the connection without answering when resetRate is 1', async () => {
    const s = await start({ behavior: { resetRate: 1 } });
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(await failureOf(fetch(`${s.url}/x`)));
    await expect(rawGet(`${s.url}/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(s.stats).toMatchObject({ total: 2, resets: 2, byStatus: {} });
  });

  it('hangs until the client gives up, counting the hang', async () => {
    const s = await start({ behavior: { hang: true } });
    expect(await failureOf(fetch(`${s.url}/x`, { signal: AbortSignal.timeout(100) }))).toBe('TimeoutError');
    await s.whenIdle();
    expect(s.stats).toMatchObject({ total: 1, hangs: 1, byStatus: {} });
  });

  it('delays headers by latencyMs plus slowHeadersMs', async () => {
    const s = await start({ behavior: { latencyMs: 30, slowHeadersMs: 30 } });
    await (await fetch(`${s.url}/x`)).arrayBuffer();
    // Headers come after 60 ms, so a 45 ms client timeout (armed first, in this process) fires
    // first; with only one of the delays they would come after 30 ms.
    expect(await failureOf(fetch(`${s.url}/x`, { signal: AbortSignal.timeout(45) }))).toBe('TimeoutError');
    await s.whenIdle();
  });

  it('sends headers at once and the body after slowBodyMs', async () => {
    const s = await start({ behavior: { slowBodyMs: 5_000, status: 202 } });
    const controller = new AbortController();
    const res = await fetch(`${s.url}/x`, { signal: controller.signal });
    expect(res.status).toBe(202);
    const body = res.text();
    controller.abort();
    await expect(body).rejects.toMatchObject({ name: 'AbortError' });
    await s.whenIdle(); // the body timer was cancelled with the response
  });

  it('streams a large body of bodyBytes', async () => {
    const s = await start({ behavior: { bodyBytes: 1_000_000 } });
    const res = await fetch(`${s.url}/x`);
    expect(res.headers.get('content-length')).toBe('1000000');
    expect((await res.arrayBuffer()).byteLength).toBe(1_000_000);
  });

  it('applies behaviour changes to new requests and can restore the initial one', async () => {
    const s = await start({ behavior: { status: 204 } });
    const empty = await rawGet(`${s.url}/x`);
    expect(empty).toMatchObject({ status: 204, bytesRead: 0 });
    expect(empty.headers['content-length']).toBeUndefined();
    expect(s.setBehavior({ status: 201 }).status).toBe(201);
    expect((await fetch(`${s.url}/x`)).status).toBe(201);
    expect(() => s.setBehavior({ resetRate: -1 })).toThrow(/resetRate/);
    expect(s.resetBehavior().status).toBe(204);
  });
});
