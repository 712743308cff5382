/** Runs the built example as a user would and checks what it prints, so it cannot rot. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runBuilt } from '../../demo/src/run-built.test-helpers.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

it('balances got POSTs around a crashed instance, which health checks mark unhealthy', async () => {
  const run = await runBuilt(main, { timeoutMs: 15_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('20/20 POSTs answered 200');
  expect(run.stdout).toMatch(/^billing-1: unhealthy \(health unhealthy/m);
});
