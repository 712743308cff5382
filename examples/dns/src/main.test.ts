/** Runs the built example as a user would and checks what it prints, so it cannot rot. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDnsmasq } from '@datapunk/testkit';
import { expect, it } from 'vitest';
import { runBuilt } from '../../demo/src/run-built.test-helpers.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const dnsmasq = findDnsmasq();
if (!dnsmasq && process.env.CI !== 'true') console.warn('SKIPPED: DNS example: no dnsmasq (apt-get install dnsmasq-base)');

it.skipIf(!dnsmasq && process.env.CI !== 'true')('follows SRV records as instances are added to and removed from DNS', async () => {
  const run = await runBuilt(main, { timeoutMs: 20_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^SRV lists orders-0, orders-1: instances orders-0 \(healthy\), orders-1 \(healthy\); served by orders-0 x6, orders-1 x6$/);
  expect(lines[1]).toMatch(/^orders-2 added to DNS: .*orders-2 \(healthy\).*; served by orders-0 x4, orders-1 x4, orders-2 x4$/);
  expect(lines[2]).toMatch(/^orders-0 removed from DNS: .*; served by orders-1 x6, orders-2 x6$/);
});
