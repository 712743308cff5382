/**
 * Micro-benchmark: cost of one pick through a service (and of pick + done), per strategy, for
 * 10, 100 and 1,000 instances (10,000 with --large). Each strategy runs in its own child process
 * so that one strategy's JIT state does not slow another's. Figures are medians over rounds;
 * read them as ratios: the machine is shared and noisy.
 *
 *   pnpm --filter @datapunk/bench pick-cost [-- --rounds 7 --batches 200 --large --json]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBalancer, type Outcome, type PickedInstance, type StrategyName } from '@datapunk/balancer';

export const STRATEGIES: StrategyName[] = ['round-robin', 'weighted-round-robin', 'random', 'least-request', 'peak-ewma', 'ring-hash', 'maglev'];

export interface PickCostRow {
  strategy: StrategyName;
  instances: number;
  /** Median ns per pick (the done calls are outside the timed section). */
  pickNs: number;
  /** Median ns per pick + done. */
  cycleNs: number;
  /** pickNs divided by pickNs at the smallest size. */
  growth: number;
}

const OK: Outcome = { kind: 'response', status: 200, latencyMs: 1 };
const BATCH = 1_000;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Measures one strategy at one size: medians over `rounds` rounds of `batches` x 1,000 picks. */
export function measure(strategy: StrategyName, instances: number, rounds: number, batches: number): { pickNs: number; cycleNs: number } {
  const list = Array.from({ length: instances }, (_, i) => ({
    url: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`,
    weight: 1 + (i % 3),
  }));
  const balancer = createBalancer({ services: { orders: { instances: list, strategy, outlierDetection: false, retry: false } } });
  const keys = Array.from({ length: BATCH }, (_, i) => `user-${i}`);
  const hashed = strategy === 'ring-hash' || strategy === 'maglev';
  const held = new Array<PickedInstance>(BATCH);
  const round = (n: number): { pick: number; cycle: number } => {
    let pick = 0n;
    let cycle = 0n;
    for (let b = 0; b < n; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) {
        const p = hashed ? balancer.pick('orders', { hashKey: keys[i]! }) : balancer.pick('orders');
        held[i] = p as PickedInstance;
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

/** Runs every strategy in its own child process and collects the rows. */
export function pickCostTable(sizes: number[], rounds: number, batches: number, strategies = STRATEGIES): PickCostRow[] {
  const self = fileURLToPath(import.meta.url);
  return strategies.flatMap((strategy) => {
    const out = execFileSync(process.execPath, [self, '--one', strategy, '--sizes', sizes.join(','), '--rounds', String(rounds), '--batches', String(batches)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out) as PickCostRow[];
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const rounds = Number(arg('rounds') ?? 7);
  const batches = Number(arg('batches') ?? 200);
  const one = arg('one') as StrategyName | undefined;
  if (one) {
    const sizes = (arg('sizes') ?? '10,100,1000').split(',').map(Number);
    let base: number | undefined;
    const rows: PickCostRow[] = sizes.map((instances) => {
      const { pickNs, cycleNs } = measure(one, instances, rounds, batches);
      base ??= pickNs;
      return { strategy: one, instances, pickNs: Math.round(pickNs), cycleNs: Math.round(cycleNs), growth: Math.round((pickNs / base) * 100) / 100 };
    });
    process.stdout.write(JSON.stringify(rows));
    return;
  }
  const sizes = process.argv.includes('--large') ? [10, 100, 1_000, 10_000] : [10, 100, 1_000];
  const rows = pickCostTable(sizes, rounds, batches);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`pick cost through a service, median of ${rounds} rounds (Node ${process.version}); pick + done in brackets`);
  console.log('strategy              ' + sizes.map((n) => `${n}`.padStart(18)).join('') + '   growth');
  for (const s of STRATEGIES) {
    const r = rows.filter((x) => x.strategy === s);
    console.log(s.padEnd(22) + r.map((x) => `${x.pickNs} ns (${x.cycleNs})`.padStart(18)).join('') + `   x${r.at(-1)!.growth}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
