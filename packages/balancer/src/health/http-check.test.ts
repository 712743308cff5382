/** The default HTTP check against real loopback servers (no balancer, no schedule). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type BehaviorOptions, type TestServer } from '@datapunk/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheckTarget } from './check.js';
import { HealthCheckFailure } from './failure.js';
import { httpCheck, isExpectedStatus, type HttpCheckConfig } from './http-check.js';

const config: HttpCheckConfig = {
  path: '/health',
  method: 'GET',
  headers: {},
  expectedStatuses: [[200, 299]],
  maxBodyBytes: 65_536,
};

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(health: BehaviorOptions['health'] = {}): Promise<TestServer> {
  const s = await startServer({ behavior: { health } });
  servers.push(s);
  return s;
}

const targetOf = (url: string): HealthCheckTarget => {
  const u = new URL(url);
  return { id: u.origin, url: u.origin, host: u.hostname, port: Number(u.port), service: 'orders' };
};

/** Runs one check with a 2 s safety timeout; resolves to 'pass' or the rejection. */
async function probe(url: string, cfg: HttpCheckConfig = config, signal = AbortSignal.timeout(2_000), readLoad = false): Promise<unknown> {
  try {
    await httpCheck(cfg, readLoad)(targetOf(url), signal);
    return 'pass';
  } catch (error) {
    return error;
  }
}

describe('httpCheck', () => {
  it('passes on an expected status, sending method, path and headers on a fresh connection', async () => {
    const s = await server();
    expect(await probe(s.url, { ...config, method: 'HEAD', headers: { 'x-probe': '1' } })).toBe('pass');
    const [req] = s.requests;
    expect(req).toMatchObject({ method: 'HEAD', url: '/health' });
    expect(req!.headers).toMatchObject({ 'x-probe': '1', 'user-agent': 'datapunk-balancer-health-check', connection: 'close' });
    await s.whenIdle();
  });

  it.each<[string, BehaviorOptions['health'], Partial<HttpCheckConfig>, string]>([
    ['a 500', { status: 500 }, {}, 'status 500'],
    ['a 200 when only 204 is expected', {}, { expectedStatuses: [[204, 204]] }, 'status 200'],
    ['a 302', { redirectTo: 'http://127.0.0.1:1/health' }, {}, 'redirect 302'],
  ])('fails on %s', async (_name, health, cfg, detail) => {
    const s = await server(health);
    expect(await probe(s.url, { ...config, ...cfg })).toMatchObject({ detail });
  });

  it('a 3xx listed among the expected statuses passes, still without following it', async () => {
    const elsewhere = await server();
    const s = await server({ redirectTo: `${elsewhere.url}/health` });
    expect(await probe(s.url, { ...config, expectedStatuses: [[200, 399]] })).toBe('pass');
    expect(elsewhere.stats.total).toBe(0);
  });

  it('fails with the error code on a reset or a refused connection', async () => {
    const reset = await server({ resetConnection: true });
    expect(await probe(reset.url)).toMatchObject({ code: 'ECONNRESET' });
    const gone = await server();
    await gone.close();
    expect(await probe(gone.url)).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with the signal reason as soon as the signal aborts, and frees the connection', async () => {
    const s = await server({ hang: true });
    const controller = new AbortController();
    const pending = probe(s.url, config, controller.signal);
    while (s.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const reason = new Error('stop');
    controller.abort(reason);
    // The probe has no timeout of its own here and the server never answers: only the abort can
    // settle it (otherwise the test times out).
    expect(await pending).toBe(reason);
    await s.whenIdle();
  });

  it('reads at most maxBodyBytes of a 50 MB body, then drops the connection', async () => {
    // A raw server that counts what it manages to write before the client goes away.
    let written = 0;
    const raw: Server = createServer((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      const pump = (): void => {
        while (written < 50 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => raw.close(() => resolve())) });
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const t0 = performance.now();
    expect(await probe(url)).toBe('pass');
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50)); // let the server notice the close
    console.info(`50 MB body: check took ${ms.toFixed(1)} ms, server wrote ${(written / 1024 / 1024).toFixed(1)} MB before the client left`);
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it.each<[string, 'health' | 'all']>([
    ['on health checks only', 'health'],
    ['on every response', 'all'],
  ])("with readLoad, a passing probe resolves with the response's endpoint-load-metrics header (%s)", async (_name, on) => {
    const s = await startServer({ loadReport: { cpuUtilization: 0.4, rpsFractional: 20 }, loadReportOn: on });
    servers.push(s);
    await expect(httpCheck(config, true)(targetOf(s.url), AbortSignal.timeout(2_000))).resolves.toEqual({ loadReport: 'TEXT cpu_utilization=0.4, rps_fractional=20' });
    // Without readLoad (a strategy that takes no reports), the header is not looked at.
    await expect(httpCheck(config)(targetOf(s.url), AbortSignal.timeout(2_000))).resolves.toBeUndefined();
  });

  it('with readLoad, a failing probe carries the report in its HealthCheckFailure; no header, no report', async () => {
    const s = await startServer({ loadReport: { cpuUtilization: 1, rpsFractional: 80, format: 'json' }, loadReportOn: 'health', behavior: { health: { status: 503 } } });
    servers.push(s);
    const failed = await probe(s.url, config, undefined, true);
    expect(failed).toBeInstanceOf(HealthCheckFailure);
    expect(failed).toMatchObject({ detail: 'status 503', loadReport: 'JSON {"cpu_utilization":1,"rps_fractional":80}' });
    const silent = await server();
    await expect(httpCheck(config, true)(targetOf(silent.url), AbortSignal.timeout(2_000))).resolves.toBeUndefined();
    const bare = await server({ status: 500 });
    expect(await probe(bare.url, config, undefined, true)).toMatchObject({ detail: 'status 500', loadReport: undefined });
  });

  it("gRPC's binary header is passed on in its BIN form (counted unsupported); the text header wins beside it", async () => {
    const headers: Record<string, string>[] = [{ 'endpoint-load-metrics-bin': 'CAEQAg==' }, { 'endpoint-load-metrics-bin': 'CAEQAg==', 'endpoint-load-metrics': 'TEXT eps=1' }];
    let n = 0;
    const raw: Server = createServer((_req, res) => res.writeHead(200, headers[n++]).end());
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => raw.close(() => resolve())) });
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    await expect(httpCheck(config, true)(targetOf(url), AbortSignal.timeout(2_000))).resolves.toEqual({ loadReport: 'BIN CAEQAg==' });
    await expect(httpCheck(config, true)(targetOf(url), AbortSignal.timeout(2_000))).resolves.toEqual({ loadReport: 'TEXT eps=1' });
  });

  it('matches statuses against inclusive ranges', () => {
    const ranges = [[200, 299], [404, 404]] as const;
    expect([199, 200, 299, 300, 404, 405].map((s) => isExpectedStatus(s, ranges))).toEqual([false, true, true, false, true, false]);
  });
});
