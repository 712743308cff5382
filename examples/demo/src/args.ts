/**
 * Command-line flags of the demo. Every duration in the run scales with `--duration`, so a 10 s
 * CI run tells the same story as the default 30 s one, only faster.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface DemoArgs {
  /** Run length, seconds. */
  readonly durationS: number;
  /** Requests per second, all clients and services together (open loop). */
  readonly rate: number;
  /** Where the report, summary and log go (absolute). */
  readonly outDir: string;
  /** Port of the Prometheus endpoint on 127.0.0.1; 0 picks a free one. */
  readonly metricsPort: number;
  /** No live table or progress lines, only the final summary. */
  readonly quiet: boolean;
  /** Seed of the fleet's random faults and latencies. */
  readonly seed: number;
}

export const USAGE = `Usage: pnpm demo [options]   (or: node examples/demo/dist/main.js [options])

  --duration <s>       run length in seconds (default 30; 10 is enough for the whole story)
  --rate <req/s>       requests per second over all clients and services (default 150)
  --out <dir>          where report.html, summary.json and balancer.log go (default .artifacts/demo)
  --metrics-port <n>   Prometheus endpoint port on 127.0.0.1, 0 for any free port (default 9464)
  --seed <n>           seed of the fleet's random latencies (default 42)
  --quiet              no live table or progress lines, only the summary
  --help               this text
`;

export class UsageError extends Error {}

function number(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses `argv` (without node and the script); throws `UsageError` on a bad flag. Undefined means `--help`. */
export function parseDemoArgs(argv: readonly string[], cwd = process.cwd()): DemoArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        rate: { type: 'string' },
        out: { type: 'string' },
        'metrics-port': { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  return {
    durationS: number('duration', v.duration, 30, (n) => n >= 3 && n <= 3600, 'seconds from 3 to 3600'),
    rate: number('rate', v.rate, 150, (n) => n >= 1 && n <= 5000, 'requests per second from 1 to 5000'),
    outDir: resolve(cwd, v.out ?? '.artifacts/demo'),
    metricsPort: number('metrics-port', v['metrics-port'], 9464, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port from 0 to 65535'),
    seed: number('seed', v.seed, 42, Number.isInteger, 'an integer'),
    quiet: v.quiet ?? false,
  };
}
