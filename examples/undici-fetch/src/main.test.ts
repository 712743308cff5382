/** Runs the built example as a user would and checks what it prints, so it cannot rot. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runBuilt } from '../../demo/src/run-built.test-helpers.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

it('balances undici fetch around a hung instance within the caller deadline', async () => {
  const run = await runBuilt(main, { timeoutMs: 15_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('12/12 requests answered 200 by a live instance');
  expect(run.stdout).toMatch(/^orders-0 \(hung\): [1-9]\d* attempts timed out$/m);
});
