/**
 * A process that runs a balancer with health checks and calls close() exits by itself: no
 * socket, timer or listener of the checker is left behind. Runs the BUILT package in a child
 * `node` (build first: `pnpm exec tsc -b packages/balancer`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer, type TestServer } from '@datapunk/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const built = (file: string): string => pathToFileURL(join(dist, file)).href;

/** The child: counts client sockets (diagnostics channel) and timers it never saw fire or cleared. */
const SCRIPT = `
import { subscribe } from 'node:diagnostics_channel';
const sockets = new Set();
subscribe('net.client.socket', ({ socket }) => sockets.add(socket));
const live = new Set();
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
globalThis.setTimeout = (fn, ms, ...args) => {
  const handle = realSetTimeout(() => { live.delete(handle); fn(...args); }, ms);
  live.add(handle);
  return handle;
};
globalThis.clearTimeout = (handle) => { live.delete(handle); realClearTimeout(handle); };

const { createBalancer } = await import(process.env.INDEX_JS);
const instances = JSON.parse(process.env.INSTANCES);
const balancer = createBalancer({
  services: { orders: { instances, healthCheck: { intervalMs: 20, timeoutMs: 10000, unhealthyThreshold: 1 } } },
});
await new Promise((resolve) => realSetTimeout(resolve, 300));
await balancer.close();
await new Promise((resolve) => setImmediate(resolve));
const open = [...sockets].filter((s) => !s.destroyed).length;
console.log(JSON.stringify({ sockets: sockets.size, open, timers: live.size }));
`;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(script: string, env: Record<string, string>, limitMs: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after ${limitMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, limitMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const servers: TestServer[] = [];
let dir: string | undefined;
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

beforeAll(() => {
  for (const file of ['index.js', 'health/checker.js', 'health/http-check.js']) {
    if (!existsSync(join(dist, file))) throw new Error(`${join(dist, file)} is missing: run \`pnpm exec tsc -b packages/balancer\` first`);
  }
});

describe('process exit', () => {
  it('a process with health checks running exits by itself after close(), leaving no socket or timer', async () => {
    const ok = await startServer();
    const hung = await startServer({ behavior: { health: { hang: true } } });
    servers.push(ok, hung);
    dir = mkdtempSync(join(tmpdir(), 'balancer-exit-'));
    const script = join(dir, 'child.mjs');
    writeFileSync(script, SCRIPT);
    const exit = await run(
      script,
      {
        INDEX_JS: built('index.js'),
        INSTANCES: JSON.stringify([ok.url, hung.url]),
      },
      5_000,
    );
    expect(exit.stderr).toBe('');
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    const report = JSON.parse(exit.stdout) as { sockets: number; open: number; timers: number };
    console.info(`child exited in ${exit.ms.toFixed(0)} ms: ${JSON.stringify(report)}`);
    expect(ok.stats.health).toBeGreaterThan(3); // checks really ran (the ok instance, every ~20 ms)
    expect(report.sockets).toBeGreaterThan(3);
    expect(report.open).toBe(0); // including the probe hung on the second server
    expect(report.timers).toBe(0);
    expect(hung.stats.health).toBe(1); // one probe, in flight until close() aborted it
  });
});
