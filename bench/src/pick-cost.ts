/**
 * Part 1, micro-benchmark: cost of one pick through a service (and of pick + done), per
 * strategy, for 10, 100, 1,000 and 10,000 instances; heap bytes per instance; heap growth over
 * one million pick/done cycles. Each strategy runs in its own child process (with `--expose-gc`)
 * so that one strategy's JIT state and garbage do not slow another's. Figures are medians over
 * rounds; read them as ratios: the machine is shared and noisy.
 *
 *   pnpm --filter @datapunk/bench pick-cost [-- --rounds 7 --batches 200 --sizes 10,100 --json]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBalancer, type Balancer, type StrategyName } from '@datapunk/balancer';
import { pickFrom, type Outcome, type TestPick } from '@datapunk/balancer/testing';
import { compiled } from './paths.js';
import { median } from './stats.js';

export { median } from './stats.js';

export const STRATEGIES: StrategyName[] = ['round-robin', 'weighted-round-robin', 'random', 'least-request', 'peak-ewma', 'weighted-least-load', 'ring-hash', 'maglev'];

export const SIZES = [10, 100, 1_000, 10_000];

export interface PickCostRow {
  strategy: StrategyName;
  instances: number;
  /** Median ns per pick (the done calls are outside the timed section). */
  pickNs: number;
  /** Median ns per pick + done. */
  cycleNs: number;
  /** pickNs divided by pickNs at the smallest size. */
  growth: number;
  /** Heap retained by the balancer per instance, bytes (after a pick and done on each instance, after GC). */
  heapBytesPerInstance: number;
}

export interface HeapGrowthRow {
  strategy: StrategyName;
  instances: number;
  cycles: number;
  /** heapUsed after the cycles minus before, both after a full GC, bytes (noise: a few KB). */
  growthBytes: number;
}

export interface PickCostResult {
  rows: PickCostRow[];
  heapGrowth: HeapGrowthRow[];
}

export interface PickCostOptions {
  sizes?: number[];
  rounds?: number;
  batches?: number;
  /** Pick/done cycles for the heap growth figure. Default 1,000,000. */
  cycles?: number;
  /** Instances for the heap growth figure. Default 1,000. */
  growthInstances?: number;
  strategies?: StrategyName[];
}

const OK: Outcome = { kind: 'response', status: 200, latencyMs: 1 };
const BATCH = 1_000;
const KEYS = Array.from({ length: BATCH }, (_, i) => `user-${i}`);

function instanceList(n: number): { url: string; weight: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    url: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`,
    weight: 1 + (i % 3),
  }));
}

function makeBalancer(strategy: StrategyName, list: { url: string; weight: number }[]): Balancer {
  return createBalancer({ services: { orders: { instances: list, strategy, outlierDetection: false, retry: false } } });
}

const isHashed = (strategy: StrategyName): boolean => strategy === 'ring-hash' || strategy === 'maglev';

/** Measures one strategy at one size: medians over `rounds` rounds of `batches` x 1,000 picks. */
export function measure(strategy: StrategyName, instances: number, rounds: number, batches: number): { pickNs: number; cycleNs: number } {
  const balancer = makeBalancer(strategy, instanceList(instances));
  const hashed = isHashed(strategy);
  const held = new Array<TestPick & { ok: true }>(BATCH);
  const round = (n: number): { pick: number; cycle: number } => {
    let pick = 0n;
    let cycle = 0n;
    for (let b = 0; b < n; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) {
        const p = hashed ? pickFrom(balancer, 'orders', { hashKey: KEYS[i]! }) : pickFrom(balancer, 'orders');
        held[i] = p as TestPick & { ok: true };
      }
      const t1 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) held[i]!.done(OK);
      const t2 = process.hrtime.bigint();
      pick += t1 - t0;
      cycle += t2 - t0;
    }
    return { pick: Number(pick) / (n * BATCH), cycle: Number(cycle) / (n * BATCH) };
  };
  round(Math.max(20, batches / 4)); // warm-up: let the JIT settle
  const picks: number[] = [];
  const cycles: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { pick, cycle } = round(batches);
    picks.push(pick);
    cycles.push(cycle);
  }
  void balancer.close();
  return { pickNs: median(picks), cycleNs: median(cycles) };
}

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap the balancer retains per instance: heapUsed with the balancer (after one pick and done per
 * instance, so lazily created strategy state is counted) minus heapUsed before it, over `instances`.
 */
export function heapPerInstance(strategy: StrategyName, instances: number): number {
  const list = instanceList(instances);
  const before = collect();
  const balancer = makeBalancer(strategy, list);
  for (let i = 0; i < instances; i++) {
    const p = pickFrom(balancer, 'orders', isHashed(strategy) ? { hashKey: `k${i}` } : undefined);
    if (p.ok) p.done(OK);
  }
  const after = collect();
  void balancer.close();
  return (after - before) / instances;
}

/** heapUsed growth over `cycles` pick/done cycles, after a warm-up; both ends after a full GC. */
export function heapGrowth(strategy: StrategyName, instances: number, cycles: number): number {
  const balancer = makeBalancer(strategy, instanceList(instances));
  const hashed = isHashed(strategy);
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const p = hashed ? pickFrom(balancer, 'orders', { hashKey: KEYS[i % BATCH]! }) : pickFrom(balancer, 'orders');
      if (p.ok) p.done(OK);
    }
  };
  run(Math.min(100_000, cycles));
  const before = collect();
  run(cycles);
  const after = collect();
  void balancer.close();
  return after - before;
}

/** Runs every strategy in its own child process and collects the rows. */
export function pickCostTable(options: PickCostOptions = {}): PickCostResult {
  const { sizes = SIZES, rounds = 7, batches = 200, cycles = 1_000_000, growthInstances = 1_000, strategies = STRATEGIES } = options;
  const results = strategies.map((strategy) => {
    const args = ['--expose-gc', compiled('pick-cost.js'), '--one', strategy, '--sizes', sizes.join(','), '--rounds', String(rounds), '--batches', String(batches)];
    args.push('--cycles', String(cycles), '--growth-instances', String(growthInstances));
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out) as PickCostResult;
  });
  return { rows: results.flatMap((r) => r.rows), heapGrowth: results.flatMap((r) => r.heapGrowth) };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function runOne(strategy: StrategyName): PickCostResult {
  const rounds = Number(arg('rounds') ?? 7);
  const batches = Number(arg('batches') ?? 200);
  const sizes = (arg('sizes') ?? SIZES.join(',')).split(',').map(Number);
  const cycles = Number(arg('cycles') ?? 1_000_000);
  const growthInstances = Number(arg('growth-instances') ?? 1_000);
  let base: number | undefined;
  const rows: PickCostRow[] = sizes.map((instances) => {
    const heapBytesPerInstance = Math.round(heapPerInstance(strategy, instances));
    const { pickNs, cycleNs } = measure(strategy, instances, rounds, batches);
    base ??= pickNs;
    return { strategy, instances, pickNs: Math.round(pickNs), cycleNs: Math.round(cycleNs), growth: Math.round((pickNs / base) * 100) / 100, heapBytesPerInstance };
  });
  const growthBytes = heapGrowth(strategy, growthInstances, cycles);
  return { rows, heapGrowth: [{ strategy, instances: growthInstances, cycles, growthBytes }] };
}

function main(): void {
  const one = arg('one') as StrategyName | undefined;
  if (one) {
    process.stdout.write(JSON.stringify(runOne(one)));
    return;
  }
  const sizes = (arg('sizes') ?? SIZES.join(',')).split(',').map(Number);
  const rounds = Number(arg('rounds') ?? 7);
  const result = pickCostTable({ sizes, rounds, batches: Number(arg('batches') ?? 200), cycles: Number(arg('cycles') ?? 1_000_000) });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`pick cost through a service, median of ${rounds} rounds (Node ${process.version}); pick + done in brackets`);
  console.log('strategy              ' + sizes.map((n) => `${n}`.padStart(18)).join('') + '   growth  heap B/inst  heap growth');
  for (const s of STRATEGIES) {
    const r = result.rows.filter((x) => x.strategy === s);
    const g = result.heapGrowth.find((x) => x.strategy === s)!;
    console.log(
      s.padEnd(22) +
        r.map((x) => `${x.pickNs} ns (${x.cycleNs})`.padStart(18)).join('') +
        `   x${r.at(-1)!.growth}`.padEnd(9) +
        `${r.at(-1)!.heapBytesPerInstance}`.padStart(12) +
        `${g.growthBytes} B`.padStart(13),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
