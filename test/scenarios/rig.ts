/**
 * The scenario table's rig: a fleet of loopback servers (`@datapunk/testkit`), a balancer on a
 * fake runtime, and a client from the driver under test; plus the bounded waits the rows use.
 * `useRigs(driver)` inside a `describe` closes every rig after each test.
 */
import { createBalancer, type Balancer, type ServiceOptions } from '@datapunk/balancer';
import { createFakeRuntime, seededRandom, type FakeRuntime } from '@datapunk/balancer/testing';
import { startFleet, type Fleet } from '@datapunk/testkit';
import { afterEach } from 'vitest';
import type { BalancedClient, ClientDriver, DriverResponse } from './driver.js';

export interface Rig {
  fleet: Fleet;
  balancer: Balancer;
  runtime: FakeRuntime;
  client: BalancedClient;
}

export const NO_BACKOFF = { backoffBaseMs: 0, backoffMaxMs: 0 };

/** Waits (bounded, without sleeping) until `condition` holds, yielding to I/O between checks. */
export async function until(condition: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Open sockets and timers of this process (servers included). */
export function handles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

export const inFlight = (b: Balancer) => Object.values(b.snapshot().services).flatMap((s) => s.instances).reduce((n, i) => n + i.inFlight, 0);
export const json = (r: DriverResponse) => JSON.parse(r.body) as { server: string; method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string };

/** GET `path` of service `orders` through `c`. */
export const get = (c: BalancedClient, path = '/echo') => c.request({ method: 'GET', url: `http://orders${path}` });

/** Fleet behaviour per server index (testkit's `behavior` option). */
export type Behavior = Parameters<typeof startFleet>[0]['behavior'];

/** Makes rigs for the rows of one `describe`. */
export interface Rigs {
  /** A fleet of `count` servers, a balancer over them (service `orders`, round robin, 1 retry, no backoff, plus `service`), a client. */
  rig(count: number, service?: Partial<ServiceOptions>, behavior?: Behavior): Promise<Rig>;
  /** Closes every rig made so far (clients, balancers, fleets); also done after each test. */
  closeAll(): Promise<void>;
}

/** Registers the clean-up of every rig made in the enclosing `describe`, and returns the rig maker. */
export function useRigs(driver: ClientDriver): Rigs {
  const rigs: Rig[] = [];
  const closeAll = async (): Promise<void> => {
    for (const r of rigs.splice(0)) {
      await r.client.close();
      await r.balancer.close();
      await r.fleet.close({ graceMs: 0 });
    }
  };
  afterEach(closeAll);
  const rig = async (count: number, service: Partial<ServiceOptions> = {}, behavior?: Behavior): Promise<Rig> => {
    const fleet = await startFleet({ count, ...(behavior ? { behavior } : {}), random: seededRandom(5) });
    const runtime = createFakeRuntime({ seed: 11 });
    const balancer = createBalancer({
      services: {
        orders: {
          instances: [...fleet.urls],
          strategy: 'round-robin',
          retry: { maxRetries: 1, ...NO_BACKOFF },
          ...service,
        } as ServiceOptions,
      },
      runtime,
    });
    const r = { fleet, balancer, runtime, client: driver.create(balancer) };
    rigs.push(r);
    return r;
  };
  return { rig, closeAll };
}
