import { describe, expect, it, vi } from 'vitest';
import { activeResources, failureOf, rawGet } from './client.test-helpers.js';
import { startServer } from './server.js';

describe('crash and restart', () => {
  it('resets in-flight requests, refuses connections, then serves again on the same port', async () => {
    const s = await startServer();
    const { port } = s;
    expect((await fetch(`${s.url}/x`)).status).toBe(200);

    s.setBehavior({ latencyMs: 10_000 });
    const inFlight = expect(rawGet(`${s.url}/slow`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await vi.waitFor(() => expect(s.inFlight).toBe(1));
    await s.crash();
    expect(s.inFlight).toBe(0);
    await inFlight;
    expect(s.listening).toBe(false);
    expect(await failureOf(fetch(`${s.url}/x`))).toBe('ECONNREFUSED');

    s.setBehavior({ latencyMs: 0 });
    await s.restart();
    expect(s.port).toBe(port);
    expect((await fetch(`${s.url}/x`)).status).toBe(200);
    await s.close();
    await expect(s.restart()).rejects.toThrow(/closed/);
  });
});

describe('close', () => {
  it('resolves at once with hung requests and leaves no handle behind', async () => {
    const before = activeResources();
    const s = await startServer({ behavior: { hang: true } });
    const hung = ['/a', '/b', '/health'].map((path) =>
      expect(rawGet(s.url + path)).rejects.toMatchObject({ code: 'ECONNRESET' }),
    );
    s.setBehavior({ health: { hang: true } });
    await vi.waitFor(() => expect(s.stats.hangs).toBe(3));

    // Hung requests are not waited for: with a minute's grace, close() still resolves (within
    // the test's timeout) because nothing else is in flight.
    await s.close({ graceMs: 60_000 });
    expect(s.inFlight).toBe(0);
    await Promise.all(hung);
    const after = activeResources();
    for (const type of ['TCPServerWrap', 'TCPSocketWrap', 'Timeout']) {
      expect(after[type] ?? 0, type).toBeLessThanOrEqual(before[type] ?? 0);
    }
  });

  it('releases the listener and its timers before resolving, after crash and restart too', async () => {
    const before = activeResources();
    const s = await startServer();
    await (await fetch(`${s.url}/x`)).arrayBuffer();
    await s.crash();
    expect(activeResources()['TCPServerWrap'] ?? 0).toBe(before['TCPServerWrap'] ?? 0);
    await s.restart();
    await s.close();
    expect(activeResources()['TCPServerWrap'] ?? 0).toBe(before['TCPServerWrap'] ?? 0);
    expect(activeResources()['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0);
  });

  it('lets a slow response finish within the grace period', async () => {
    const s = await startServer({ behavior: { latencyMs: 50 } });
    const pending = rawGet(`${s.url}/x`);
    await vi.waitFor(() => expect(s.inFlight).toBe(1));
    await s.close();
    expect((await pending).status).toBe(200);
  });

  it('destroys responses still pending after the grace period, clearing their timers', async () => {
    const before = activeResources();
    const s = await startServer({ behavior: { latencyMs: 60_000 } });
    const pending = expect(rawGet(`${s.url}/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await vi.waitFor(() => expect(s.inFlight).toBe(1));
    // A minute-long response, 30 ms of grace: close() resolves (within the test's timeout) and
    // the response is destroyed.
    await s.close({ graceMs: 30 });
    expect(s.inFlight).toBe(0);
    await pending;
    expect(activeResources()['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0);
  });
});
