/**
 * Rows of the scenario table (`table.ts`) for hedged requests: a hedge answers for a stuck
 * attempt, a caller's abort releases both attempts, and a POST is never hedged.
 */
import { expect, it } from 'vitest';
import type { ClientDriver } from './driver.js';
import { get, inFlight, json, until, type useRigs } from './rig.js';

export function defineHedgingRows(driver: ClientDriver, rig: ReturnType<typeof useRigs>['rig']): void {
  // A driver that does not launch hedges (the core-only README driver) does not get these rows:
  // not defined rather than skipped, so CI never reports a skip.
  const hedged = (name: string, row: () => Promise<void>): void => {
    if (driver.hedges !== false) it(name, row);
  };

  hedged('hedging: a request stuck on a slow instance is answered by a hedge to a fast one; the caller gets its body, the loser is cancelled, not blamed', async () => {
    const { fleet, client, runtime, balancer } = await rig(2, { hedge: { delayMs: 50 }, outlierDetection: false }, (i) => (i === 0 ? { hang: true } : {}));
    const [slow, fast] = fleet.servers as [(typeof fleet.servers)[0], (typeof fleet.servers)[0]];
    let hedged = 0;
    for (let i = 0; i < 6; i++) {
      const before = slow.stats.hangs;
      let settled = false;
      const pending = get(client, `/echo?n=${i}`).finally(() => (settled = true));
      await until(() => settled || slow.stats.hangs > before, 'the request to reach a server');
      if (!settled) {
        runtime.advance(50); // the hedge delay passes: a second attempt goes to the fast instance
        hedged++;
      }
      const r = await pending;
      expect(r.status).toBe(200);
      expect(json(r)).toMatchObject({ server: fast.id, path: '/echo', query: { n: String(i) } });
    }
    expect(hedged).toBeGreaterThan(0);
    expect(slow.stats.hangs).toBe(hedged); // each hang cost one hedge, and no more
    expect(fast.stats.total).toBe(6);
    await until(() => inFlight(balancer) === 0, 'the losers to be released');
    const snap = balancer.snapshot().services.orders!.instances;
    expect(snap.reduce((n, i) => n + i.totals.failures, 0)).toBe(0);
    expect(snap[0]!.totals.cancelled).toBe(hedged);
  });

  hedged('hedging: the caller aborting while both attempts hang releases both, blaming neither', async () => {
    const { fleet, client, runtime, balancer } = await rig(2, { hedge: { delayMs: 50 }, outlierDetection: false }, () => ({ hang: true }));
    const hangs = () => fleet.servers[0]!.stats.hangs + fleet.servers[1]!.stats.hangs;
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', url: 'http://orders/echo', signal: controller.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    await until(() => hangs() === 1, 'the first attempt to reach a server');
    runtime.advance(50);
    await until(() => hangs() === 2, 'the hedge to reach the other server');
    expect(inFlight(balancer)).toBe(2);
    controller.abort();
    expect(await pending).toBe('aborted');
    await until(() => inFlight(balancer) === 0, 'both attempts to be released');
    const snap = balancer.snapshot().services.orders!.instances;
    expect(snap.map((i) => i.totals.failures)).toEqual([0, 0]);
    expect(snap.map((i) => i.totals.cancelled)).toEqual([1, 1]);
  });

  it('hedging: a POST is never hedged, however long it waits', async () => {
    const { fleet, client, runtime } = await rig(2, { hedge: { delayMs: 50 }, outlierDetection: false }, (i) => (i === 0 ? { latencyMs: 100 } : {}));
    for (let i = 0; i < 4; i++) {
      const pending = client.request({ method: 'POST', url: 'http://orders/orders', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
      await until(() => fleet.servers[0]!.stats.total + fleet.servers[1]!.stats.total > i, 'the request to reach a server');
      runtime.advance(1_000);
      expect((await pending).status).toBe(200);
    }
    expect(fleet.servers.map((s) => s.stats.total)).toEqual([2, 2]);
  });
}
