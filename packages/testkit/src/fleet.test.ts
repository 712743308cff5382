import { describe, expect, it } from 'vitest';
import { startFleet } from './fleet.js';

describe('startFleet', () => {
  it('starts named servers on distinct ports and counts requests per server, health excluded', async () => {
    const fleet = await startFleet({ count: 3, namePrefix: 'orders', behavior: (i) => ({ status: 200 + i }) });
    try {
      expect(fleet.servers.map((s) => s.id)).toEqual(['orders-0', 'orders-1', 'orders-2']);
      expect(new Set(fleet.urls).size).toBe(3);
      expect(fleet.get(1)).toBe(fleet.get('orders-1'));
      expect(() => fleet.get('nope')).toThrow(RangeError);
      expect(() => fleet.get(3)).toThrow(RangeError);

      for (const [i, url] of fleet.urls.entries()) {
        for (let n = 0; n <= i; n++) expect((await fetch(`${url}/x`)).status).toBe(200 + i);
        await (await fetch(`${url}/health`)).arrayBuffer();
      }
      expect(fleet.totals()).toEqual({ 'orders-0': 1, 'orders-1': 2, 'orders-2': 3 });

      fleet.setBehavior({ errorRate: 1 });
      expect((await fetch(`${fleet.urls[2]}/x`)).status).toBe(503);
      fleet.resetStats();
      expect(fleet.totals()).toEqual({ 'orders-0': 0, 'orders-1': 0, 'orders-2': 0 });
    } finally {
      await fleet.close();
    }
    expect(fleet.servers.every((s) => !s.listening)).toBe(true);
  });

  it('rejects a count below 1', async () => {
    await expect(startFleet({ count: 0 })).rejects.toThrow(/count: expected an integer >= 1, got 0/);
  });

  it('closes the servers it started when one fails to start', async () => {
    await expect(startFleet({ count: 2, behavior: (i) => ({ errorRate: i === 1 ? 2 : 0 }) })).rejects.toThrow(
      /errorRate/,
    );
  });
});
