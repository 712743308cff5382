/**
 * The contenders of the capacity run, each as several independent clients over one fleet: ours
 * (one balancer and one undici Agent per client), plain round robin (one cursor per client,
 * starting at different instances) and HAProxy (one proxy shared by every client, as a proxy tier,
 * or one per client, as sidecars). Attempts are logged below each client, or read from
 * HAProxy's counters.
 */
import type { ServiceOptions, StrategyName } from '@datapunk/balancer';
import { peakEwma } from '@datapunk/balancer/strategies';
import { withBalancer } from '@datapunk/balancer-undici';
import { Agent } from 'undici';
import { PER_ATTEMPT_TIMEOUT_MS, SERVICE_ORIGIN, userBalancer } from '../config.js';
import { exchange, recorder, type FaultClient } from '../faults/contenders.js';
import { findHaproxy, HAPROXY_INSTALL, startHaproxy, type RunningHaproxy } from '../faults/haproxy.js';
import { followHaproxyCounters } from '../faults/haproxy-counters.js';
import type { TrafficLog } from '../faults/traffic.js';
import { HAPROXY_SIDECAR } from '../report/goals.js';

export interface FleetContender {
  readonly name: string;
  readonly setupText: string;
  /** Sets up `clients` independent clients over `urls`; or says why it cannot run. */
  start(urls: readonly string[], traffic: TrafficLog, clients: number): Promise<FaultClient[] | { missing: string }>;
}

/** Our balancer with `strategy` (or extra service options made per client, e.g. a strategy object), one per client. */
export function oursFleet(strategy: StrategyName, label: string = strategy, extra: () => Partial<ServiceOptions> = () => ({}), text = `strategy '${strategy}'`): FleetContender {
  return {
    name: label,
    setupText: `per client: withBalancer(new Agent(), balancer), ${text}`,
    async start(urls, traffic, clients) {
      return Array.from({ length: clients }, () => {
        const balancer = userBalancer(urls, strategy, extra());
        const dispatcher = withBalancer(new Agent().compose(recorder(traffic)), balancer);
        return {
          send: (i: number, signal: AbortSignal) => exchange(dispatcher, SERVICE_ORIGIN, i, signal),
          close: async () => {
            await dispatcher.close();
            await balancer.close();
          },
        };
      });
    },
  };
}

export const roundRobinFleet: FleetContender = {
  name: 'round robin (plain)',
  setupText: `per client: new Agent({ headersTimeout: ${PER_ATTEMPT_TIMEOUT_MS} }), origin = urls[(offset + i) % n]`,
  async start(urls, traffic, clients) {
    return Array.from({ length: clients }, (_, c) => {
      const agent = new Agent({ headersTimeout: PER_ATTEMPT_TIMEOUT_MS });
      let next = c;
      return {
        send: (i: number, signal: AbortSignal) => {
          const origin = urls[next++ % urls.length]!;
          traffic.attempt(origin);
          return exchange(agent, origin, i, signal);
        },
        close: () => agent.close(),
      };
    });
  },
};

/**
 * HAProxy (leastconn, config as in part 3) in one of two places: `shared`, one proxy that every
 * client's Agent goes through (a proxy tier, which sees every request in flight), or `sidecar`,
 * one proxy per client (a mesh's sidecar, which like a client-side balancer sees only its own
 * client's requests). Attempts are read from the proxies' counters every 100 ms.
 */
export function haproxyFleet(topology: 'shared' | 'sidecar'): FleetContender {
  return {
    name: topology === 'shared' ? 'HAProxy' : HAPROXY_SIDECAR,
    setupText:
      topology === 'shared'
        ? 'per client: undici Agent -> one shared HAProxy (leastconn, config as in part 3)'
        : 'per client: undici Agent -> its own HAProxy (leastconn, config as in part 3)',
    async start(urls, traffic, clients) {
      const info = findHaproxy();
      if (!info) return { missing: `haproxy not installed: ${HAPROXY_INSTALL}` };
      const proxies: RunningHaproxy[] = [];
      try {
        for (let i = 0; i < (topology === 'shared' ? 1 : clients); i++) proxies.push(await startHaproxy(info, urls, PER_ATTEMPT_TIMEOUT_MS));
      } catch (error) {
        await Promise.all(proxies.map((p) => p.close()));
        throw error;
      }
      const counters = await followHaproxyCounters(proxies, traffic);
      let open = clients;
      return Array.from({ length: clients }, (_, c) => {
        const agent = new Agent();
        const proxy = proxies[c % proxies.length]!;
        return {
          send: (i: number, signal: AbortSignal) => exchange(agent, proxy.url, i, signal),
          close: async () => {
            await agent.close();
            if (--open > 0) return;
            await counters.stop();
            await Promise.all(proxies.map((p) => p.close()));
          },
        };
      });
    },
  };
}

/** peak-ewma as it was before issue 12: no tie band, no probes, stale estimates kept (the "before" column). */
export const CLASSIC_PEAK_EWMA = { tieTolerance: 0, probeShare: 0, staleAfterMs: Number.MAX_SAFE_INTEGER } as const;
export const classicPeakEwmaFleet = oursFleet(
  'peak-ewma',
  'peak-ewma before issue 12',
  () => ({ strategy: peakEwma(CLASSIC_PEAK_EWMA) }),
  `peakEwma(${JSON.stringify(CLASSIC_PEAK_EWMA).replace(/"/g, '')}) (the rules of issue 12 off)`,
);

/** The capacity run's contenders: our default, its earlier form, least-request, plain round robin, HAProxy shared and per client. */
export function capacityContenders(): FleetContender[] {
  return [oursFleet('peak-ewma', 'peak-ewma (default)'), classicPeakEwmaFleet, oursFleet('least-request'), roundRobinFleet, haproxyFleet('shared'), haproxyFleet('sidecar')];
}
