/** Command-line arguments of `datapunk-simulate`. */
import { join } from 'node:path';
import { SCENARIOS } from './scenarios/index.js';

export interface Args {
  readonly scenario: string | undefined;
  readonly seed: number | undefined;
  readonly out: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

export const USAGE = `usage: datapunk-simulate <scenario | path/to/scenario.js> [--seed N] [--out DIR] [--json] [--quiet]
scenarios: ${Object.keys(SCENARIOS).join(', ')}`;

export function parseArgs(argv: readonly string[]): Args {
  let scenario: string | undefined;
  let seed: number | undefined;
  let out = join('.artifacts', 'simulator');
  let json = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seed') {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--seed: expected an integer >= 0, got ${JSON.stringify(argv[i])}`);
      seed = v;
    } else if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error('--out: expected a directory');
      out = v;
    } else if (a === '--json') json = true;
    else if (a === '--quiet') quiet = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (scenario === undefined) scenario = a;
    else throw new Error(`one scenario at a time, got ${JSON.stringify(scenario)} and ${JSON.stringify(a)}`);
  }
  return { scenario, seed, out, json, quiet };
}

