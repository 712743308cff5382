/**
 * Small fleets and `maxEjectionPercent`: with the Envoy default (10%) a fleet of N instances may
 * eject max(1, 10% of N) at once, so when a dead instance holds that slot an instance answering
 * 503 to everything stays in rotation. This runs that case against real loopback servers
 * (testkit, in process: counts matter here, not latency): N instances, one refusing connections
 * (crashed), one answering 503 to every request, the rest healthy; open-loop traffic through
 * undici and the balancer with the default configuration but `maxEjectionPercent`.
 *
 *   node bench/dist/small-fleet.js [--sizes 3,10] [--percents 10,50] [--methods POST,GET] [--strategies round-robin,peak-ewma] [--seconds 4] [--rate 100] [--panic 50]
 *
 * `--panic 0` turns the panic threshold off (default: the service default, 50%).
 *
 * Per row: callers' success, the share of attempts the 503 and the dead instance received while
 * they were bad (fair share 1/N), and ejections the cap refused. POST is the case that hurts: a
 * 503 is not retried for a non-idempotent method, so every attempt on that instance fails a
 * caller; a refused connection is retried for every method.
 */
import { createBalancer, type StrategyName } from '@datapunk/balancer';
import { withBalancer } from '@datapunk/balancer-undici';
import { startFleet } from '@datapunk/testkit';
import { Agent, request } from 'undici';
import { openLoop } from './faults/open-loop.js';

interface Row {
  readonly size: number;
  readonly strategy: StrategyName;
  readonly method: string;
  readonly maxEjectionPercent: number;
  readonly successPct: number;
  readonly share503Pct: number;
  readonly shareDeadPct: number;
  readonly refusedEjections: number;
  readonly panicEntered: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const list = (name: string, fallback: string) => arg(name, fallback).split(',').filter(Boolean);

async function runOne(size: number, strategy: StrategyName, method: string, maxEjectionPercent: number, seconds: number, rate: number, panic: number | undefined): Promise<Row> {
  const fleet = await startFleet({ count: size, namePrefix: 'orders' });
  const [, bad503, dead] = fleet.urls;
  fleet.get(1).setBehavior({ errorRate: 1, errorStatus: 503 });
  await fleet.get(2).crash();
  const balancer = createBalancer({
    services: {
      orders: { instances: [...fleet.urls], strategy, outlierDetection: { maxEjectionPercent }, ...(panic === undefined ? {} : { panic: { thresholdPercent: panic } }) },
    },
  });
  let refusedEjections = 0;
  let panicEntered = 0;
  balancer.observe({
    ejection: (e) => {
      if (e.skipped === 'max-ejection-percent') refusedEjections++;
    },
    panicChanged: (e) => {
      if (e.panic) panicEntered++;
    },
  });
  const dispatcher = withBalancer(new Agent(), balancer);
  const result = await openLoop({
    ratePerSec: rate,
    durationMs: seconds * 1000,
    deadlineMs: 2_000,
    send: async (_i, signal) => {
      try {
        const res = await request('http://orders/work', { method: method as 'GET', dispatcher, signal, body: method === 'POST' ? '{}' : null });
        await res.body.dump();
        return res.statusCode < 400;
      } catch {
        return false;
      }
    },
  });
  const instances = balancer.snapshot().services.orders!.instances;
  const attempts = (url: string | undefined) => instances.find((i) => i.url === url)?.totals.requests ?? 0;
  const all = instances.reduce((s, i) => s + i.totals.requests, 0);
  await balancer.close();
  await dispatcher.close();
  await fleet.close();
  const ok = result.ok.reduce((s, v) => s + v, 0);
  const pct = (n: number, of: number) => Math.round((n / Math.max(1, of)) * 1000) / 10;
  return {
    size,
    strategy,
    method,
    maxEjectionPercent,
    successPct: pct(ok, result.ok.length),
    share503Pct: pct(attempts(bad503), all),
    shareDeadPct: pct(attempts(dead), all),
    refusedEjections,
    panicEntered,
  };
}

async function main(): Promise<void> {
  const sizes = list('sizes', '3,10').map(Number);
  const percents = list('percents', '10,50').map(Number);
  const methods = list('methods', 'POST,GET');
  const strategies = list('strategies', 'round-robin,peak-ewma') as StrategyName[];
  const seconds = Number(arg('seconds', '4'));
  const rate = Number(arg('rate', '100'));
  const panic = process.argv.includes('--panic') ? Number(arg('panic', '50')) : undefined;
  if (panic !== undefined) console.log(`panic.thresholdPercent: ${panic}`);
  console.log(`| fleet | strategy | method | maxEjectionPercent | callers' success | 503 instance's share | dead instance's share | ejections refused by the cap | panics |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const size of sizes)
    for (const strategy of strategies)
      for (const method of methods)
        for (const p of percents) {
          const r = await runOne(size, strategy, method, p, seconds, rate, panic);
          console.log(
            `| ${r.size} | ${r.strategy} | ${r.method} | ${r.maxEjectionPercent} | ${r.successPct}% | ${r.share503Pct}% | ${r.shareDeadPct}% | ${r.refusedEjections} | ${r.panicEntered} |`,
          );
        }
}

await main();
