/**
 * Drivers for undici: `undici.request` and `undici.fetch` with `withBalancer(new Agent(), balancer)`
 * as their `dispatcher`, and Node's built-in global `fetch` through `setGlobalDispatcher`.
 *
 * Bodies: `undici.fetch` and the global `fetch` hand every request body to the dispatcher as a
 * one-shot async iterable; the adapter copies it as it is sent (up to `retry.bufferBodyBytes`),
 * so a retry can replay it.
 */
import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import { overridesHeader, withBalancer } from '@datapunk/balancer-undici';
import { Agent, fetch as undiciFetch, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import type { BalancedClient, ClientDriver, DriverRequest, DriverResponse } from '../scenarios/driver.js';

const aborted = (controller: AbortController): unknown => controller.signal.reason ?? new Error('aborted during the body');

/** The parts of a fetch `Response` the drivers read (undici's and Node's have this shape). */
interface FetchResponse {
  readonly status: number;
  readonly headers: { forEach(fn: (value: string, name: string) => void): void };
  readonly body: ReadableStream<Uint8Array> | null;
}
type FetchLike = (url: string, init: Record<string, unknown>) => Promise<FetchResponse>;

async function fetchThrough(fetchFn: FetchLike, req: DriverRequest, extra: Record<string, unknown>): Promise<DriverResponse> {
  const res = await fetchFn(req.url, {
    ...extra,
    method: req.method,
    ...(req.headers || req.overrides ? { headers: { ...req.headers, ...(req.overrides && overridesHeader(req.overrides as RequestOverrides)) } } : {}),
    // fetch reads a stream body as an async iterable, which needs `duplex: 'half'`.
    ...(req.body === undefined ? {} : typeof req.body === 'string' ? { body: req.body } : { body: req.body as Readable, duplex: 'half' }),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  const reader = res.body?.getReader();
  const parts: Buffer[] = [];
  if (reader && req.abortDuringBody) {
    await reader.read();
    req.abortDuringBody.abort();
    // Cancel rather than read on: Node 20's built-in fetch (undici 6.24) can leave a body
    // pending forever when it is aborted right after its last chunk, with any dispatcher.
    await reader.cancel().catch(() => {});
    throw aborted(req.abortDuringBody);
  }
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) parts.push(Buffer.from(r.value));
  return { status: res.status, headers, body: Buffer.concat(parts).toString('utf8') };
}

/** `undici.request` with `dispatcher: withBalancer(new Agent(), balancer)`. */
export const undiciRequestDriver: ClientDriver = {
  name: 'undici.request',
  create(balancer: Balancer): BalancedClient {
    const dispatcher = withBalancer(new Agent(), balancer);
    return {
      async request(req: DriverRequest): Promise<DriverResponse> {
        const res = await request(req.url, {
          dispatcher,
          method: req.method,
          ...(req.headers ? { headers: req.headers } : {}),
          ...(req.body === undefined ? {} : { body: req.body }),
          ...(req.signal ? { signal: req.signal } : {}),
          ...(req.overrides === undefined ? {} : { balancer: req.overrides as RequestOverrides }),
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const parts: Buffer[] = [];
        for await (const chunk of res.body) {
          parts.push(chunk as Buffer);
          req.abortDuringBody?.abort(); // the body stream then fails with the signal's reason
        }
        if (req.abortDuringBody) throw aborted(req.abortDuringBody); // the whole body came in one chunk
        return { status: res.statusCode, headers, body: Buffer.concat(parts).toString('utf8') };
      },
      close: () => dispatcher.close(),
    };
  },
};

/** `undici.fetch` with `dispatcher: withBalancer(new Agent(), balancer)`. */
export const undiciFetchDriver: ClientDriver = {
  name: 'undici.fetch',
  create(balancer: Balancer): BalancedClient {
    const dispatcher = withBalancer(new Agent(), balancer);
    return {
      request: (req) => fetchThrough(undiciFetch as unknown as FetchLike, req, { dispatcher }),
      close: () => dispatcher.close(),
    };
  },
};

/**
 * Node's global `fetch` after `setGlobalDispatcher(withBalancer(new Agent(), balancer))`. One such
 * client at a time: `close()` puts the previous global dispatcher back.
 */
export const globalFetchDriver: ClientDriver = {
  name: 'global fetch (setGlobalDispatcher)',
  create(balancer: Balancer): BalancedClient {
    const dispatcher = withBalancer(new Agent(), balancer);
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(dispatcher);
    return {
      request: (req) => fetchThrough(globalThis.fetch as unknown as FetchLike, req, {}),
      async close() {
        if (getGlobalDispatcher() === dispatcher) setGlobalDispatcher(previous);
        await dispatcher.close();
      },
    };
  },
};
