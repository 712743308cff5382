/**
 * Scenario rows for per-request overrides, through every client in its own idiom (see
 * `DriverRequest.overrides`): each row shows the service's behaviour without the override and
 * the changed one with it, on the same fleet.
 */
import { describe, expect, it } from 'vitest';
import { balancerErrorCode, type BalancedClient, type ClientDriver, type DriverRequest } from './driver.js';
import { inFlight, json, NO_BACKOFF, until, useRigs } from './rig.js';

export function defineOverrideScenarios(driver: ClientDriver): void {
  describe(`per-request overrides through ${driver.name}`, () => {
    const { rig } = useRigs(driver);
    const send = (client: BalancedClient, overrides: DriverRequest['overrides'], extra: Partial<DriverRequest> = {}) =>
      client.request({ method: 'GET', url: 'http://orders/echo', ...extra, ...(overrides === undefined ? {} : { overrides }) });
    const statuses = async (client: BalancedClient, n: number, overrides: DriverRequest['overrides'], extra: Partial<DriverRequest> = {}) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await send(client, overrides, extra)).status);
      return out;
    };

    it('retry: false: a 503 reaches the caller instead of being retried; the override header never reaches the instance', async () => {
      const { client, fleet } = await rig(2, { outlierDetection: false }, (i) => (i === 0 ? { errorRate: 1 } : {}));
      const failing = fleet.servers[0]!;
      const attempts = () => Object.values(fleet.totals()).reduce((a, b) => a + b, 0);
      expect(await statuses(client, 4, undefined)).toEqual([200, 200, 200, 200]);
      const before = { failing: failing.stats.total, all: attempts() };
      const off = await statuses(client, 6, { retry: false });
      const hits = failing.stats.total - before.failing;
      expect(hits).toBeGreaterThan(0);
      expect(attempts() - before.all).toBe(6); // one attempt per request
      expect(off.filter((s) => s === 503)).toHaveLength(hits); // every 503 came back as is
      let ok = await send(client, { retry: false });
      if (ok.status !== 200) ok = await send(client, { retry: false });
      expect(json(ok).headers['datapunk-balancer']).toBeUndefined();
    });

    it('maxRetries: 2 gets past two failing instances where the service allows one retry', async () => {
      const { client } = await rig(3, { outlierDetection: false }, (i) => (i < 2 ? { errorRate: 1 } : {}));
      expect((await statuses(client, 6, undefined)).filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(await statuses(client, 6, { maxRetries: 2 })).toEqual([200, 200, 200, 200, 200, 200]);
    });

    it('idempotent: true lets a POST be retried after a 503, its body intact', async () => {
      const { client, fleet } = await rig(2, { outlierDetection: false }, (i) => (i === 0 ? { errorRate: 1 } : {}));
      const post = { method: 'POST', url: 'http://orders/orders', body: '{"n":7}', headers: { 'content-type': 'application/json' } };
      const before = fleet.servers[0]!.stats.total;
      const plain = await statuses(client, 4, undefined, post);
      expect(plain.filter((s) => s === 503)).toHaveLength(fleet.servers[0]!.stats.total - before); // not retried by default
      expect(plain).toContain(503);
      for (let i = 0; i < 4; i++) {
        const r = await send(client, { idempotent: true }, post);
        expect(r.status).toBe(200);
        expect(json(r)).toMatchObject({ method: 'POST', body: '{"n":7}' });
      }
    });

    it('perAttemptTimeoutMs: 100 cuts a hung attempt short at 100 ms where the service waits 10 s', async () => {
      const { client, fleet, runtime } = await rig(2, { retry: { maxRetries: 1, perAttemptTimeoutMs: 10_000, ...NO_BACKOFF }, outlierDetection: false }, (i) =>
        i === 0 ? { hang: true } : {},
      );
      const hung = fleet.servers[0]!;
      let cut = 0;
      let done = 0;
      for (let i = 0; i < 4; i++) {
        const before = hung.stats.hangs;
        let settled = false;
        const pending = send(client, { perAttemptTimeoutMs: 100 }).finally(() => (settled = true));
        await until(() => settled || hung.stats.hangs > before, 'the request to reach a server');
        if (!settled) {
          runtime.advance(99);
          expect(fleet.servers[1]!.stats.total).toBe(done); // not cut short yet
          runtime.advance(1);
          await until(() => settled, 'the hung attempt to be cut short and retried');
          cut++;
        }
        expect((await pending).status).toBe(200);
        done = fleet.servers[1]!.stats.total;
      }
      expect(cut).toBeGreaterThan(0);
      expect(hung.stats.hangs).toBe(cut);
    });

    it('hashKey sends every request with the same key to the same instance, and different keys apart', async () => {
      const { client } = await rig(4, { strategy: 'ring-hash' });
      const servers = new Map<string, Set<string>>();
      for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
        for (let i = 0; i < 3; i++) {
          const r = await send(client, { hashKey: key });
          servers.set(key, (servers.get(key) ?? new Set()).add(json(r).server));
        }
      }
      for (const s of servers.values()) expect(s.size).toBe(1);
      expect(new Set([...servers.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
    });

    if (driver.hedges !== false) {
      it('hedge: false: no hedge is sent after the hedge delay; the attempt waits for its own deadline', async () => {
        const { client, fleet, runtime, balancer } = await rig(2, { hedge: { delayMs: 50 }, retry: { maxRetries: 1, perAttemptTimeoutMs: 1_000, ...NO_BACKOFF }, outlierDetection: false }, (i) =>
          i === 0 ? { hang: true } : {},
        );
        const hung = fleet.servers[0]!;
        for (let i = 0; i < 2; i++) {
          let settled = false;
          const pending = send(client, { hedge: false }).finally(() => (settled = true));
          await until(() => settled || hung.stats.hangs > 0, 'the request to reach a server');
          if (!settled) {
            runtime.advance(50);
            expect(inFlight(balancer)).toBe(1); // a hedge would have been picked at once
            runtime.advance(950);
          }
          expect((await pending).status).toBe(200);
        }
        expect(hung.stats.hangs).toBe(1);
      });
    }

    it('an unknown override key fails the request with ERR_BALANCER_CONFIG, as the client\'s own error, naming the field; nothing is sent', async () => {
      const { client, fleet, balancer } = await rig(2);
      const error = await send(client, { retries: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(balancerErrorCode(error)).toBe('ERR_BALANCER_CONFIG');
      expect(messages(error).join('\n')).toMatch(/balancer[^\n]*\.retries: unknown option \(known: retry, maxRetries/);
      expect(Object.values(fleet.totals())).toEqual([0, 0]);
      expect(inFlight(balancer)).toBe(0);
      expect((await send(client, { retry: false })).status).toBe(200);
    });
  });
}

/** The messages of an error and its causes. */
function messages(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error, depth = 0; depth < 6 && e instanceof Error; depth++, e = e.cause) out.push(e.message);
  return out;
}
