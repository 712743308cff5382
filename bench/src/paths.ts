/**
 * Where the compiled scripts are. Child processes (the fleet, one per pick-cost strategy) always
 * run the compiled `dist/` files, also when the caller is the TypeScript source under vitest.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `bench/` directory. */
export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** The compiled path of a file given relative to `src/`, e.g. `fleet/fleet-child.js`. */
export function compiled(relative: string): string {
  return join(BENCH_DIR, 'dist', relative.replace(/\.ts$/, '.js'));
}
