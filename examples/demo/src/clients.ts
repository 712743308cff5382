/**
 * The three HTTP clients of the demo, each wrapped with the same balancer through its adapter:
 * axios (`withBalancer(axios.create(), balancer)`), got (`withBalancer(got, balancer)`) and
 * undici's fetch (`withBalancer(new Agent(), balancer)` as its dispatcher). Callers write plain
 * logical URLs (`http://orders/api/v1/orders/42`); the adapters do the rest.
 */
import { Agent as HttpAgent } from 'node:http';
import type { Balancer } from '@datapunk/balancer';
import { withBalancer as axiosWithBalancer } from '@datapunk/balancer-axios';
import { withBalancer as gotWithBalancer } from '@datapunk/balancer-got';
import { withBalancer as undiciWithBalancer } from '@datapunk/balancer-undici';
import axios from 'axios';
import got from 'got';
import { Agent, fetch } from 'undici';

export type ClientName = 'axios' | 'got' | 'undici fetch';
export const CLIENT_NAMES: readonly ClientName[] = ['axios', 'got', 'undici fetch'];

/** What a caller got back: a status (any), and the instance that answered when it said. */
export interface ClientResponse {
  readonly status: number;
  readonly server: string | undefined;
}

export interface DemoClient {
  readonly name: ClientName;
  /** GET `url`; resolves for any status, rejects on transport errors, deadlines and balancer errors. */
  get(url: string, signal: AbortSignal): Promise<ClientResponse>;
  close(): Promise<void>;
}

function header(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

export function createClients(balancer: Balancer): DemoClient[] {
  const axiosAgent = new HttpAgent({ keepAlive: true });
  const http = axiosWithBalancer(axios.create({ httpAgent: axiosAgent, validateStatus: () => true }), balancer);

  const gotAgent = new HttpAgent({ keepAlive: true });
  const gotClient = gotWithBalancer(got.extend({ agent: { http: gotAgent }, throwHttpErrors: false }), balancer);

  const dispatcher = undiciWithBalancer(new Agent({ keepAliveTimeout: 4_000 }), balancer);

  return [
    {
      name: 'axios',
      async get(url, signal) {
        const res = await http.get(url, { signal });
        return { status: res.status, server: header(res.headers['x-testkit-server']) };
      },
      async close() {
        axiosAgent.destroy();
      },
    },
    {
      name: 'got',
      async get(url, signal) {
        const res = await gotClient.get(url, { signal });
        return { status: res.statusCode, server: header(res.headers['x-testkit-server']) };
      },
      async close() {
        gotAgent.destroy();
      },
    },
    {
      name: 'undici fetch',
      async get(url, signal) {
        const res = await fetch(url, { dispatcher, signal });
        await res.arrayBuffer();
        return { status: res.status, server: res.headers.get('x-testkit-server') ?? undefined };
      },
      async close() {
        await dispatcher.close();
      },
    },
  ];
}

/** A short, stable name for why a request failed (`ECONNREFUSED`, `ERR_NO_AVAILABLE_INSTANCE`, `deadline`...). */
export function failureCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError') return 'deadline';
    if (typeof code === 'string' && code !== 'ERR_CANCELED' && code !== 'ERR_GOT_REQUEST_ERROR') return code;
    current = (current as { cause?: unknown }).cause;
  }
  if (typeof error === 'object' && error !== null && 'name' in error) return String((error as { name: unknown }).name);
  return 'error';
}
