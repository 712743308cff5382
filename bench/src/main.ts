/**
 * `pnpm bench`: runs the three parts and writes bench/results/latest.json and bench/RESULTS.md.
 *
 *   pnpm bench                 # full run (about 5 minutes)
 *   pnpm bench --quick         # shortened run (about a minute), figures indicative only
 *   pnpm bench --only faults   # some parts: pick, overhead, faults, capacity (comma-separated);
 *                              # the results keep the other parts from the previous run
 *   pnpm bench --only capacity --scenarios heterogeneous --contenders 'peak-ewma (default),HAProxy'
 *                              # capacity run: only these scenarios / contenders (exact names)
 *   pnpm bench --no-write      # print, write nothing
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrategyName } from '@datapunk/balancer';
import { runCapacity, type CapacityResult } from './capacity/capacity.js';
import { capacityContenders } from './capacity/contenders.js';
import { capacityScenarios, type CapacityScenario } from './capacity/scenarios.js';
import type { FleetContender } from './capacity/contenders.js';
import { CONFIG_TEXT, PER_ATTEMPT_TIMEOUT_MS, PROPOSED_MAX_EJECTION } from './config.js';
import { faultContenders, type FaultContender } from './faults/contenders.js';
import { FULL_TIMELINE, QUICK_TIMELINE, runFaults, type FaultTimeline } from './faults/faults.js';
import { findHaproxy, haproxyConfig, HAPROXY_INSTALL } from './faults/haproxy.js';
import { startRemoteFleet } from './fleet/remote-fleet.js';
import { machineInfo } from './machine.js';
import { nullTransportCost } from './overhead/null-transport.js';
import { FULL_OVERHEAD, QUICK_OVERHEAD, runOverhead, type OverheadOptions } from './overhead/overhead.js';
import { BENCH_DIR } from './paths.js';
import { pickCostTable, STRATEGIES, type PickCostOptions } from './pick-cost.js';
import { capacityGoals, faultGoals, overheadGoals } from './report/goals.js';
import { renderMarkdown } from './report/markdown.js';
import { mergeResults } from './report/merge.js';
import type { BenchResult, PartName } from './report/result.js';

export type Part = PartName;
export const PARTS: readonly Part[] = ['pick', 'overhead', 'faults', 'capacity'];

export interface BenchOptions {
  readonly mode: BenchResult['meta']['mode'];
  readonly parts: readonly Part[];
  readonly pickCost: PickCostOptions;
  readonly overhead: OverheadOptions;
  readonly nullTransport: { readonly rounds: number; readonly requests: number; readonly heapRequests: number };
  readonly faults: { readonly timeline: FaultTimeline; readonly contenders: readonly FaultContender[] };
  readonly capacity: { readonly scenarios: readonly CapacityScenario[]; readonly contenders: readonly FleetContender[]; readonly rounds: number };
  readonly log?: (line: string) => void;
}

export function fullOptions(): BenchOptions {
  return {
    mode: 'full',
    parts: PARTS,
    pickCost: {},
    overhead: FULL_OVERHEAD,
    nullTransport: { rounds: 7, requests: 20_000, heapRequests: 1_000_000 },
    faults: { timeline: FULL_TIMELINE, contenders: faultContenders(STRATEGIES, [PROPOSED_MAX_EJECTION]) },
    capacity: { scenarios: capacityScenarios(), contenders: capacityContenders(), rounds: 3 },
  };
}

export function quickOptions(): BenchOptions {
  return {
    mode: 'quick',
    parts: PARTS,
    pickCost: { sizes: [10, 100, 1_000, 10_000], rounds: 3, batches: 40, cycles: 1_000_000 },
    overhead: QUICK_OVERHEAD,
    nullTransport: { rounds: 3, requests: 5_000, heapRequests: 100_000 },
    faults: { timeline: QUICK_TIMELINE, contenders: faultContenders(STRATEGIES, [PROPOSED_MAX_EJECTION]) },
    capacity: { scenarios: capacityScenarios(0.5), contenders: capacityContenders(), rounds: 1 },
  };
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => {});
  const meta = machineInfo();
  const started = performance.now();
  const haproxy = findHaproxy();
  if (!haproxy) log(`HAProxy is not installed: its row will be marked missing. Install it with: ${HAPROXY_INSTALL}`);
  let pickCost: BenchResult['pickCost'];
  let overhead: BenchResult['overhead'];
  let faults: BenchResult['faults'];
  let capacity: CapacityResult | undefined;

  const took = (): string => `  (${Math.round((performance.now() - started) / 1000)} s so far)`;
  if (options.parts.includes('pick')) {
    log('1/4 pick cost (one child process per strategy)...');
    pickCost = { ...pickCostTable(options.pickCost), options: options.pickCost };
    log(took());
  }
  if (options.parts.includes('overhead')) {
    log('2/4 overhead on a healthy fleet (interleaved runs)...');
    const result = await runOverhead(options.overhead, log);
    const fleet = await startRemoteFleet([{}, {}, {}, {}]);
    try {
      const n = options.nullTransport;
      const nullTransport = await nullTransportCost(fleet.urls, n.rounds, n.requests, n.heapRequests);
      log(`  without a network: raw ${nullTransport.rawUs} µs/req, no-op interceptor ${nullTransport.noopInterceptorUs}, balanced ${nullTransport.balancedUs} µs/req (+${nullTransport.extraUs})`);
      const h = nullTransport.heap;
      if (h) log(`  heap over ${h.requests} balanced requests: ${h.beforeMB} -> ${h.afterMB} MB`);
      overhead = { ...result, nullTransport };
    } finally {
      await fleet.close();
    }
    log(took());
  }
  if (options.parts.includes('faults')) {
    log('3/4 quality under faults (open loop, one contender at a time)...');
    const result = await runFaults(options.faults.contenders, options.faults.timeline, log);
    const sampleConfig = haproxyConfig({
      port: 8080,
      servers: Array.from({ length: 8 }, (_, i) => `http://127.0.0.1:${9000 + i}`),
      statsSocket: '/tmp/bench-haproxy/stats.sock',
      serverTimeoutMs: PER_ATTEMPT_TIMEOUT_MS,
    });
    faults = { ...result, balancerConfig: CONFIG_TEXT, haproxyConfig: sampleConfig };
    log(took());
  }
  if (options.parts.includes('capacity')) {
    log('4/4 fleets with capacity (workers and queues, several clients, faults that end)...');
    capacity = await runCapacity(options.capacity.scenarios, options.capacity.contenders, options.capacity.rounds, log);
    log(took());
  }
  return {
    meta: { ...meta, mode: options.mode, durationS: Math.round((performance.now() - started) / 1000), haproxy: haproxy ? `${haproxy.version} (${haproxy.path})` : null },
    ...(pickCost ? { pickCost } : {}),
    ...(overhead ? { overhead } : {}),
    ...(faults ? { faults } : {}),
    ...(capacity ? { capacity } : {}),
    goals: [...overheadGoals(overhead), ...faultGoals(faults?.rows), ...capacityGoals(capacity?.rows, faults?.rows)],
  };
}

/**
 * Writes `results/latest.json` and `RESULTS.md` under `dir` (bench/ by default). `ran`: the parts
 * this run measured, when not all (`--only`): the others are kept from the previous results.
 */
export function writeResults(result: BenchResult, dir = BENCH_DIR, ran?: readonly Part[]): { json: string; markdown: string } {
  mkdirSync(join(dir, 'results'), { recursive: true });
  const json = join(dir, 'results', 'latest.json');
  const markdown = join(dir, 'RESULTS.md');
  const previous = ran && existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as BenchResult) : undefined;
  const written = ran ? mergeResults(previous, result, ran) : result;
  writeFileSync(json, JSON.stringify(written, null, 2) + '\n');
  writeFileSync(markdown, renderMarkdown(written));
  return { json, markdown };
}

function parseArgs(argv: readonly string[]): { options: BenchOptions; write: boolean } {
  const quick = argv.includes('--quick');
  let options = quick ? quickOptions() : fullOptions();
  const only = argv.indexOf('--only');
  if (only >= 0) {
    const parts = (argv[only + 1] ?? '').split(',').filter((p): p is Part => (PARTS as readonly string[]).includes(p));
    if (parts.length === 0) throw new Error(`--only expects some of ${PARTS.join(',')}`);
    options = { ...options, parts, mode: 'custom' };
  }
  const strategies = argv.indexOf('--strategies');
  if (strategies >= 0) {
    const names = (argv[strategies + 1] ?? '').split(',') as StrategyName[];
    options = { ...options, mode: 'custom', faults: { ...options.faults, contenders: faultContenders(names) } };
  }
  const pickNamed = <T extends { readonly name: string }>(flag: string, all: readonly T[]): readonly T[] => {
    const at = argv.indexOf(flag);
    if (at < 0) return all;
    const names = (argv[at + 1] ?? '').split(',');
    const unknown = names.filter((n) => !all.some((x) => x.name === n));
    if (unknown.length > 0) throw new Error(`${flag}: unknown ${unknown.map((n) => `'${n}'`).join(', ')}; one of ${all.map((x) => `'${x.name}'`).join(', ')}`);
    options = { ...options, mode: 'custom' };
    return all.filter((x) => names.includes(x.name));
  };
  const scenarios = pickNamed('--scenarios', options.capacity.scenarios);
  const contenders = pickNamed('--contenders', options.capacity.contenders);
  options = { ...options, capacity: { ...options.capacity, scenarios, contenders } };
  return { options, write: !argv.includes('--no-write') };
}

async function main(): Promise<void> {
  const { options, write } = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.log(line);
  const result = await runBench({ ...options, log });
  console.log('');
  console.log(renderMarkdown(result));
  if (write) {
    const files = writeResults(result, BENCH_DIR, options.parts.length < PARTS.length ? options.parts : undefined);
    console.log(`wrote ${files.json} and ${files.markdown}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
