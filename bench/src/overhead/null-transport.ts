/**
 * The balancer's own cost per request, without a network: undici's `request()` through a
 * dispatcher that answers on the next turn of the event loop from memory, with and without
 * `withBalancer`. The difference is what the balancer and its undici adapter add to each
 * request, free of loopback, server and scheduler noise; the profile of the balanced side shows
 * where that time goes. Then a long run through `withBalancer` (1M requests in a full run) with
 * the heap measured after a GC before and after it: it must stay flat.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { withBalancer } from '@datapunk/balancer-undici';
import { Dispatcher } from 'undici';
import { SERVICE_ORIGIN, userBalancer } from '../config.js';
import { median, round } from '../stats.js';

const BODY = Buffer.from('{"ok":true}');
const RAW_HEADERS = [Buffer.from('content-type'), Buffer.from('application/json'), Buffer.from('content-length'), Buffer.from(String(BODY.length))];
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };

type AnyHandler = Dispatcher.DispatchHandler & {
  onConnect?: (abort: () => void, context: object) => void;
  onHeaders?: (status: number, raw: Buffer[], resume: () => void, text: string) => boolean;
  onData?: (chunk: Buffer) => boolean;
  onComplete?: (trailers: Buffer[]) => void;
};

/** Answers every request with a 200 and a small JSON body on the next turn of the event loop (as a socket would; a microtask would make undici's body end before `text()` is called, which retains memory in undici 7). */
export class NullDispatcher extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: AnyHandler): boolean {
    setImmediate(() => {
      if (typeof handler.onRequestStart === 'function') {
        const controller = { aborted: false, paused: false, reason: null, rawHeaders: null, rawTrailers: null, abort() {}, pause() {}, resume() {} };
        handler.onRequestStart(controller as unknown as Dispatcher.DispatchController, {});
        handler.onResponseStart?.(controller as unknown as Dispatcher.DispatchController, 200, HEADERS, 'OK');
        handler.onResponseData?.(controller as unknown as Dispatcher.DispatchController, BODY);
        handler.onResponseEnd?.(controller as unknown as Dispatcher.DispatchController, {});
      } else {
        handler.onConnect?.(() => {}, {});
        handler.onHeaders?.(200, RAW_HEADERS, () => {}, 'OK');
        handler.onData?.(BODY);
        handler.onComplete?.([]);
      }
    });
    return true;
  }
  override close(): Promise<void> {
    return Promise.resolve();
  }
  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

async function drive(dispatcher: Dispatcher, origin: string, requests: number, concurrency: number): Promise<{ wallUs: number; cpuUs: number }> {
  let left = requests;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await dispatcher.request({ origin, path: '/api/items/1', method: 'GET' });
      await res.body.text();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: (wall * 1000) / requests, cpuUs: (cpu.user + cpu.system) / requests };
}

export interface NullTransportResult {
  readonly requests: number;
  readonly rounds: number;
  /** Median µs per request (CPU time of the process) through plain undici. */
  readonly rawUs: number;
  /** The same through a do-nothing interceptor (`dispatcher.compose(noop)`): undici's own interceptor cost. */
  readonly noopInterceptorUs: number;
  /** The same through `withBalancer`. */
  readonly balancedUs: number;
  /** balancedUs - rawUs: what the balancer adds per request (median of per-round differences). */
  readonly extraUs: number;
  /** balancedUs - noopInterceptorUs: the part that is ours, not undici's interceptor machinery. */
  readonly oursUs: number;
  /** The heap around a long run through `withBalancer` (after a full GC each side when `afterGc`). */
  readonly heap?: HeapCheck;
}

export interface HeapCheck {
  readonly requests: number;
  readonly beforeMB: number;
  readonly afterMB: number;
  /** afterMB - beforeMB, KB: flat when within a few hundred KB (noise). */
  readonly growthKB: number;
  readonly afterGc: boolean;
}

/** A full GC: `global.gc` when given (`--expose-gc`), else enabled for this process at run time. */
function fullGc(): (() => void) | undefined {
  const given = (globalThis as { gc?: () => void }).gc;
  if (given) return given;
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** heapUsed after a GC (three passes: finalizers may free more), MB. */
function heapMB(gc: (() => void) | undefined): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

/** Sends `requests` requests through `dispatcher` and reports the heap before and after. */
async function heapOver(dispatcher: Dispatcher, origin: string, requests: number): Promise<HeapCheck> {
  const gc = fullGc();
  await drive(dispatcher, origin, 100_000, 16); // warm: caches, JIT, pools
  const before = heapMB(gc);
  for (let left = requests; left > 0; left -= 100_000) await drive(dispatcher, origin, Math.min(left, 100_000), 16);
  const after = heapMB(gc);
  return { requests, beforeMB: round(before, 2), afterMB: round(after, 2), growthKB: Math.round((after - before) * 1000), afterGc: gc !== undefined };
}

/** A do-nothing interceptor: what any undici interceptor costs (handler wrapping). */
const noop: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
  function passThrough(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return dispatch(opts, handler);
  };

/** Interleaved rounds of `requests` requests each: raw, no-op interceptor, balanced (order alternating). */
export async function nullTransportCost(urls: readonly string[], rounds: number, requests: number, heapRequests = 0): Promise<NullTransportResult> {
  const balancer = userBalancer(urls);
  const raw = new NullDispatcher();
  const composed = raw.compose(noop);
  const balanced = withBalancer(raw, balancer);
  // The raw sides target an instance origin, the balanced side the service: same work below.
  const runs = [
    (n: number) => drive(raw, urls[0]!, n, 16),
    (n: number) => drive(composed, urls[0]!, n, 16),
    (n: number) => drive(balanced, SERVICE_ORIGIN, n, 16),
  ];
  const cpu: number[][] = [[], [], []];
  let heap: HeapCheck | undefined;
  try {
    for (const run of runs) await run(requests);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
      for (const k of order) cpu[k]!.push((await runs[k]!(requests)).cpuUs);
    }
    if (heapRequests > 0) heap = await heapOver(balanced, SERVICE_ORIGIN, heapRequests);
  } finally {
    await balancer.close();
  }
  const [rawUs, noopUs, balancedUs] = cpu as [number[], number[], number[]];
  return {
    requests,
    rounds,
    rawUs: round(median(rawUs)),
    noopInterceptorUs: round(median(noopUs)),
    balancedUs: round(median(balancedUs)),
    extraUs: round(median(balancedUs.map((b, i) => b - rawUs[i]!))),
    oursUs: round(median(balancedUs.map((b, i) => b - noopUs[i]!))),
    ...(heap ? { heap } : {}),
  };
}
