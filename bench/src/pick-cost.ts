/**
 * Micro-benchmark: cost of one pick + done through a service, per strategy, for 10, 100 and
 * 1,000 instances (and 10,000 with --large). Prints median ns per pick over several rounds and
 * the growth ratio from the smallest to each larger size. Not a test: figures depend on the
 * machine; read them as ratios.
 *
 *   pnpm --filter @datapunk/bench pick-cost [-- --rounds 7 --picks 200000 --large --json]
 */
import { createBalancer, type Outcome, type StrategyName } from '@datapunk/balancer';

const STRATEGIES: StrategyName[] = ['round-robin', 'weighted-round-robin', 'random', 'least-request', 'peak-ewma', 'ring-hash', 'maglev'];

export interface PickCostRow {
  strategy: StrategyName;
  instances: number;
  /** Median ns per pick + done over the rounds. */
  nsPerPick: number;
  /** nsPerPick divided by the figure for the smallest size. */
  growth: number;
}

const OK: Outcome = { kind: 'response', status: 200, latencyMs: 1 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Measures one strategy at one size: median ns per pick+done over `rounds` rounds of `picks`. */
export function measurePickCost(strategy: StrategyName, instances: number, rounds: number, picks: number): number {
  const list = Array.from({ length: instances }, (_, i) => ({
    url: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`,
    weight: 1 + (i % 3),
  }));
  const balancer = createBalancer({
    services: { orders: { instances: list, strategy, outlierDetection: false, retry: false } },
  });
  const keys = Array.from({ length: 1024 }, (_, i) => `user-${i}`);
  const hashed = strategy === 'ring-hash' || strategy === 'maglev';
  const run = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const p = hashed ? balancer.pick('orders', { hashKey: keys[i & 1023]! }) : balancer.pick('orders');
      if (p.ok) p.done(OK);
    }
    return Number(process.hrtime.bigint() - start) / n;
  };
  run(Math.min(picks, 50_000)); // warm-up: let the JIT settle
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(run(picks));
  void balancer.close();
  return median(samples);
}

export function pickCostTable(sizes: number[], rounds: number, picks: number, strategies = STRATEGIES): PickCostRow[] {
  const rows: PickCostRow[] = [];
  for (const strategy of strategies) {
    let base: number | undefined;
    for (const n of sizes) {
      const ns = measurePickCost(strategy, n, rounds, picks);
      base ??= ns;
      rows.push({ strategy, instances: n, nsPerPick: Math.round(ns), growth: Math.round((ns / base) * 100) / 100 });
    }
  }
  return rows;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.includes('--large') ? [10, 100, 1_000, 10_000] : [10, 100, 1_000];
  const rows = pickCostTable(sizes, arg('rounds', 7), arg('picks', 200_000));
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(`pick + done cost, median of rounds (Node ${process.version})`);
    console.log('strategy              ' + sizes.map((n) => `${n}`.padStart(10)).join('') + '   growth');
    for (const s of STRATEGIES) {
      const r = rows.filter((x) => x.strategy === s);
      console.log(s.padEnd(22) + r.map((x) => `${x.nsPerPick} ns`.padStart(10)).join('') + `   x${r.at(-1)!.growth}`);
    }
  }
}
