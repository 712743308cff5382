/**
 * The contenders of the fault run. Each is set up fresh against a fresh fleet, sends request `i`
 * through its own client, and records every attempt (retries included) in the traffic log:
 * ours and the plain client-side ones from below the balancer, HAProxy from its own counters.
 */
import type { StrategyName } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { Agent, BalancedPool, Pool, type Dispatcher } from 'undici';
import { HASH_HEADER, PER_ATTEMPT_TIMEOUT_MS, SERVICE_ORIGIN, userBalancer, type ProposedDefaults } from '../config.js';
import { findHaproxy, HAPROXY_INSTALL, startHaproxy } from './haproxy.js';
import { followHaproxyCounters } from './haproxy-counters.js';
import type { TrafficLog } from './traffic.js';

export interface FaultClient {
  /** Sends request `i`; true for a 2xx. Never throws. */
  send(i: number, signal: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

export interface FaultContender {
  readonly name: string;
  /** What the contender is, as configured (for the report). */
  readonly setupText: string;
  /** Sets the contender up over `urls`, logging attempts to `traffic`; or says why it cannot run. */
  start(urls: readonly string[], traffic: TrafficLog): Promise<FaultClient | { missing: string }>;
}

const pathOf = (i: number): string => `/api/items/${i}`;
const userOf = (i: number): string => `u${(i * 7919) % 10_007}`;

export async function exchange(dispatcher: Dispatcher, origin: string, i: number, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await dispatcher.request({ origin, path: pathOf(i), method: 'GET', headers: { [HASH_HEADER]: userOf(i) }, signal });
    await res.body.text();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}

/** An undici interceptor that logs each dispatch's origin: below the balancer, one per attempt. */
export function recorder(traffic: TrafficLog): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    function recorded(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      traffic.attempt(opts.origin);
      return dispatch(opts, handler);
    };
}

/** Our balancer with `strategy`, through undici's `withBalancer`; `proposed` changes a default. */
export function ours(strategy: StrategyName, proposed?: ProposedDefaults): FaultContender {
  return {
    name: proposed ? `${strategy}, ${proposed.label}` : strategy,
    setupText: `withBalancer(new Agent(), balancer), strategy '${strategy}'${proposed ? `, with ${proposed.text}` : ''}`,
    async start(urls, traffic) {
      const balancer = userBalancer(urls, strategy, proposed?.options);
      const dispatcher = withBalancer(new Agent().compose(recorder(traffic)), balancer);
      return {
        send: (i, signal) => exchange(dispatcher, SERVICE_ORIGIN, i, signal),
        close: async () => {
          await dispatcher.close();
          await balancer.close();
        },
      };
    },
  };
}

/** Plain client-side round robin over the instances: no health logic, no retries. */
export const plainRoundRobin: FaultContender = {
  name: 'round robin (plain)',
  setupText: `new Agent({ headersTimeout: ${PER_ATTEMPT_TIMEOUT_MS} }), origin = urls[i % n]`,
  async start(urls, traffic) {
    const agent = new Agent({ headersTimeout: PER_ATTEMPT_TIMEOUT_MS });
    let next = 0;
    return {
      send: (i, signal) => {
        const origin = urls[next++ % urls.length]!;
        traffic.attempt(origin);
        return exchange(agent, origin, i, signal);
      },
      close: () => agent.close(),
    };
  },
};

/** undici's `BalancedPool` (its upstream pools log each dispatch). */
export const balancedPool: FaultContender = {
  name: 'undici BalancedPool',
  setupText: `new BalancedPool(urls, { headersTimeout: ${PER_ATTEMPT_TIMEOUT_MS} })`,
  async start(urls, traffic) {
    class RecordingPool extends Pool {
      readonly #origin: string;
      constructor(origin: string | URL, options: Pool.Options) {
        super(origin, options);
        this.#origin = new URL(origin).origin;
      }
      override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        traffic.attempt(this.#origin);
        return super.dispatch(opts, handler);
      }
    }
    const options = { headersTimeout: PER_ATTEMPT_TIMEOUT_MS, factory: (origin: string | URL, opts: Pool.Options) => new RecordingPool(origin, opts) };
    const pool = new BalancedPool([...urls], options as Pool.Options);
    return {
      send: (i, signal) => exchange(pool, urls[0]!, i, signal),
      close: () => pool.close(),
    };
  },
};

/** HAProxy in front of the fleet; attempts per server come from its `show stat` counters. */
export const haproxy: FaultContender = {
  name: 'HAProxy',
  setupText: 'undici Agent -> HAProxy on 127.0.0.1 (config below)',
  async start(urls, traffic) {
    const info = findHaproxy();
    if (!info) return { missing: `haproxy not installed: ${HAPROXY_INSTALL}` };
    const proxy = await startHaproxy(info, urls, PER_ATTEMPT_TIMEOUT_MS);
    const agent = new Agent();
    const counters = await followHaproxyCounters([proxy], traffic);
    return {
      send: (i, signal) => exchange(agent, proxy.url, i, signal),
      close: async () => {
        await counters.stop();
        await agent.close();
        await proxy.close();
      },
    };
  },
};

/** Every contender of the fault run: ours (each strategy at its defaults), the peers, then proposed defaults. */
export function faultContenders(strategies: readonly StrategyName[], proposed: readonly ProposedDefaults[] = []): FaultContender[] {
  return [...strategies.map((s) => ours(s)), plainRoundRobin, balancedPool, haproxy, ...proposed.map((p) => ours('peak-ewma', p))];
}
