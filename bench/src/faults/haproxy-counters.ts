/**
 * Attempts per instance from HAProxy's own counters: every 100 ms, each proxy's `show stat`
 * `stot` (sessions sent to server `s<i>`) is compared with its last reading and the difference
 * added to instance i's count. Several proxies (one per client) add up.
 */
import type { RunningHaproxy } from './haproxy.js';
import type { TrafficLog } from './traffic.js';

const POLL_MS = 100;

/** Starts following the proxies' counters (after a first reading); `stop` ends the loop. */
export async function followHaproxyCounters(proxies: readonly RunningHaproxy[], traffic: TrafficLog): Promise<{ stop(): Promise<void> }> {
  const last = proxies.map(() => new Map<string, number>());
  const poll = async (): Promise<void> => {
    const stats = await Promise.all(proxies.map((p) => p.stats()));
    stats.forEach((rows, p) => {
      for (const s of rows) {
        const before = last[p]!.get(s.name);
        last[p]!.set(s.name, s.stot);
        if (before !== undefined) traffic.add(Number(s.name.slice(1)), s.stot - before);
      }
    });
  };
  await poll();
  let polling = true;
  const loop = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      await poll().catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      polling = false;
      await loop;
    },
  };
}
