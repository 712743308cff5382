/**
 * Circuit breakers under a slowdown: 4 testkit instances (in process) answering in ~10 ms take
 * steady open-loop arrivals through undici and the balancer with `limits`; for a while the
 * whole fleet answers 20x slower, then fast again. Without limits, requests pile up in the
 * client (arrivals x latency); with them, the attempts waiting for headers stay at or below
 * `maxPendingRequests`, the requests over it fail at once with `ERR_CIRCUIT_OPEN`, and success
 * returns once the fleet is fast. Sampled every 5 ms: the balancer's attempts in flight (its
 * snapshot); per rejected call: the time from the call to its rejection.
 *
 *   node bench/dist/circuit-breaker.js [--rate 400] [--limit 20] [--seconds 2,4,4]
 */
import { createBalancer, isBalancerError } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { startFleet, type LatencySpec } from '@datapunk/testkit';
import { Agent } from 'undici';
import { openLoop } from './faults/open-loop.js';
import { round } from './stats.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const FAST: LatencySpec = { kind: 'lognormal', medianMs: 10, sigma: 0.25 };
const SLOW: LatencySpec = { kind: 'lognormal', medianMs: 200, sigma: 0.25 };
const BIN_MS = 100;

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    if (isBalancerError(e)) return e.code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

async function main(): Promise<void> {
  const rate = Number(arg('rate', '400'));
  const limit = Number(arg('limit', '20'));
  const [fastS, slowS, recoverS] = arg('seconds', '2,4,4').split(',').map(Number) as [number, number, number];
  const fleet = await startFleet({ count: 4, behavior: { latencyMs: FAST } });
  const balancer = createBalancer({
    services: { orders: { instances: [...fleet.urls], limits: { maxRequests: limit, maxPendingRequests: limit }, retry: { perAttemptTimeoutMs: 5_000 } } },
  });
  const dispatcher = withBalancer(new Agent(), balancer);
  const inFlight = () => balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.inFlight, 0);
  const rejectMs: number[] = [];
  const codes = new Map<string, number>();
  let maxInFlight = 0;
  const sampler = setInterval(() => (maxInFlight = Math.max(maxInFlight, inFlight())), 5);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const slowAt = fastS * 1000;
  const fastAt = (fastS + slowS) * 1000;
  const result = await openLoop({
    ratePerSec: rate,
    durationMs: (fastS + slowS + recoverS) * 1000,
    deadlineMs: 2_000,
    script: [
      { atMs: slowAt, run: () => fleet.servers.forEach((s) => s.setBehavior({ latencyMs: SLOW })) },
      { atMs: fastAt, run: () => fleet.servers.forEach((s) => s.setBehavior({ latencyMs: FAST })) },
    ],
    send: async (i, signal) => {
      const started = performance.now();
      try {
        const res = await dispatcher.request({ origin: 'http://orders', path: `/x/${i}`, method: 'GET', signal });
        await res.body.text();
        return res.statusCode === 200;
      } catch (error) {
        const code = codeOf(error) ?? (error as { code?: string }).code ?? (error as Error).name;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code === 'ERR_CIRCUIT_OPEN') rejectMs.push(performance.now() - started);
        return false;
      }
    },
  });
  clearInterval(sampler);
  await dispatcher.close();
  await balancer.close();
  await fleet.close({ graceMs: 0 });
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  const bins = new Map<number, { n: number; ok: number }>();
  for (let i = 0; i < result.scheduledMs.length; i++) {
    const bin = Math.floor(result.scheduledMs[i]! / BIN_MS);
    const b = bins.get(bin) ?? { n: 0, ok: 0 };
    b.n++;
    b.ok += result.ok[i]!;
    bins.set(bin, b);
  }
  // Recovery: the first 100 ms bin after the fleet is fast again from which every bin is 100% success.
  const last = Math.floor((result.scheduledMs.at(-1) ?? 0) / BIN_MS);
  let recovered = last + 1;
  for (let bin = last; bin >= Math.floor(fastAt / BIN_MS); bin--) {
    const b = bins.get(bin);
    if (b && b.ok < b.n) break;
    recovered = bin;
  }
  const phase = (from: number, to: number) => {
    let n = 0;
    let ok = 0;
    for (let i = 0; i < result.scheduledMs.length; i++) {
      const t = result.scheduledMs[i]!;
      if (t >= from && t < to) {
        n++;
        ok += result.ok[i]!;
      }
    }
    return `${round((100 * ok) / n, 2)}% of ${n}`;
  };
  rejectMs.sort((a, b) => a - b);
  const q = (p: number) => round(rejectMs[Math.min(rejectMs.length - 1, Math.floor(p * rejectMs.length))] ?? NaN, 3);
  console.log(`4 instances, ${rate} req/s open loop, limits { maxRequests: ${limit}, maxPendingRequests: ${limit} }; fast (median 10 ms) ${fastS} s, 20x slower (median 200 ms) ${slowS} s, fast ${recoverS} s; callers' deadline 2 s`);
  console.log('');
  console.log('| figure | value |');
  console.log('| --- | --- |');
  console.log(`| most attempts in flight at once (sampled every 5 ms) | ${maxInFlight} (limit ${limit}; without limits about ${Math.round(rate * 0.2)} at 200 ms) |`);
  console.log(`| success: fast / slow / fast again | ${phase(0, slowAt)} / ${phase(slowAt, fastAt)} / ${phase(fastAt, Infinity)} |`);
  console.log(`| failures by code | ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'} |`);
  console.log(`| ERR_CIRCUIT_OPEN: time to rejection, median / p99 / max ms | ${q(0.5)} / ${q(0.99)} / ${round(rejectMs.at(-1) ?? NaN, 3)} |`);
  console.log(`| back to 100% success after the fleet is fast again | ${recovered > last ? 'never' : `${(recovered * BIN_MS - fastAt) / 1000} s`} |`);
  console.log(`| heap used before / after (after GC) | ${round(heapBefore / 1e6, 1)} MB / ${round(heapAfter / 1e6, 1)} MB |`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
