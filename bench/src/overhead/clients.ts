/**
 * The clients compared on a healthy fleet, grouped by HTTP client. In each group the balanced
 * client sends to `http://orders/...` through `withBalancer`, and the raw one spreads the same
 * load by hand (round robin over the instances' origins) with the same client and agent
 * settings; undici's group adds its own `BalancedPool`.
 */
import { Agent as HttpAgent } from 'node:http';
import { withBalancer as withBalancerAxios } from '@datapunk/balancer-axios';
import { withBalancer as withBalancerGot } from '@datapunk/balancer-got';
import { withBalancer as withBalancerUndici } from '@datapunk/balancer-undici';
import axios from 'axios';
import got from 'got';
import { Agent, BalancedPool, type Dispatcher } from 'undici';
import { SERVICE_ORIGIN, userBalancer } from '../config.js';

export type Group = 'undici' | 'axios' | 'got';
export const GROUPS: readonly Group[] = ['undici', 'axios', 'got'];

export interface LoadClient {
  readonly name: string;
  readonly group: Group;
  /** `balanced`: ours; `raw`: the baseline spread by hand; `peer`: another balancer. */
  readonly role: 'balanced' | 'raw' | 'peer' | 'control';
  /** Sends one GET and reads the whole body; rejects on a non-2xx or an error. */
  send(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const nextPath = (): string => `/api/items/${counter++ % 100_000}`;

async function undiciGet(dispatcher: Dispatcher, origin: string): Promise<void> {
  const res = await dispatcher.request({ origin, path: nextPath(), method: 'GET' });
  await res.body.text();
  if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
}

function roundRobin(urls: readonly string[]): () => string {
  let i = 0;
  return () => urls[i++ % urls.length]!;
}

/** A do-nothing interceptor: what undici's interceptor machinery alone costs (handler wrapping). */
const passThrough: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
  function passThroughDispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return dispatch(opts, handler);
  };

function undiciClients(urls: readonly string[]): LoadClient[] {
  const balancer = userBalancer(urls);
  const balanced = withBalancerUndici(new Agent(), balancer);
  const raw = new Agent();
  const composed = new Agent().compose(passThrough);
  const nextComposed = roundRobin(urls);
  const pool = new BalancedPool([...urls]);
  const next = roundRobin(urls);
  return [
    {
      name: 'undici + balancer',
      group: 'undici',
      role: 'balanced',
      send: () => undiciGet(balanced, SERVICE_ORIGIN),
      close: async () => {
        await balanced.close();
        await balancer.close();
      },
    },
    { name: 'undici raw (round robin by hand)', group: 'undici', role: 'raw', send: () => undiciGet(raw, next()), close: () => raw.close() },
    {
      name: 'undici raw + no-op interceptor',
      group: 'undici',
      role: 'control',
      send: () => undiciGet(composed, nextComposed()),
      close: () => composed.close(),
    },
    { name: 'undici BalancedPool', group: 'undici', role: 'peer', send: () => undiciGet(pool, urls[0]!), close: () => pool.close() },
  ];
}

function axiosClients(urls: readonly string[]): LoadClient[] {
  const balancer = userBalancer(urls);
  const agents = [new HttpAgent({ keepAlive: true }), new HttpAgent({ keepAlive: true })];
  const balanced = withBalancerAxios(axios.create({ httpAgent: agents[0] }), balancer);
  const raw = axios.create({ httpAgent: agents[1] });
  const next = roundRobin(urls);
  return [
    {
      name: 'axios + balancer',
      group: 'axios',
      role: 'balanced',
      send: async () => void (await balanced.get(`${SERVICE_ORIGIN}${nextPath()}`)),
      close: async () => {
        agents[0]!.destroy();
        await balancer.close();
      },
    },
    {
      name: 'axios raw (round robin by hand)',
      group: 'axios',
      role: 'raw',
      send: async () => void (await raw.get(`${next()}${nextPath()}`)),
      close: async () => agents[1]!.destroy(),
    },
  ];
}

function gotClients(urls: readonly string[]): LoadClient[] {
  const balancer = userBalancer(urls);
  const agents = [new HttpAgent({ keepAlive: true }), new HttpAgent({ keepAlive: true })];
  const balanced = withBalancerGot(got.extend({ agent: { http: agents[0] } }), balancer);
  const raw = got.extend({ agent: { http: agents[1] } });
  const next = roundRobin(urls);
  return [
    {
      name: 'got + balancer',
      group: 'got',
      role: 'balanced',
      send: async () => void (await balanced(`${SERVICE_ORIGIN}${nextPath()}`)),
      close: async () => {
        agents[0]!.destroy();
        await balancer.close();
      },
    },
    {
      name: 'got raw (round robin by hand)',
      group: 'got',
      role: 'raw',
      send: async () => void (await raw(`${next()}${nextPath()}`)),
      close: async () => agents[1]!.destroy(),
    },
  ];
}

export function loadClients(group: Group, urls: readonly string[]): LoadClient[] {
  switch (group) {
    case 'undici':
      return undiciClients(urls);
    case 'axios':
      return axiosClients(urls);
    case 'got':
      return gotClients(urls);
  }
}
