/**
 * The packages are ESM with an exports map; CommonJS users load them with `require()` on Node
 * 20.19+ (require(esm)). This runs a real CommonJS script in a child process against the built
 * packages, as a user's project would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function runCjs(source: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'datapunk-cjs-'));
  const file = join(dir, 'script.cjs');
  // Resolve from this package so the workspace links are used, as a user's node_modules would be.
  const balancerEntry = createRequire(join(here, '..', 'package.json')).resolve('@datapunk/balancer');
  writeFileSync(file, source.replaceAll('BALANCER', JSON.stringify(balancerEntry)));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CommonJS interop', () => {
  it('require() loads @datapunk/balancer and its named exports work', () => {
    const r = runCjs(`
      const lb = require(BALANCER);
      const b = lb.createBalancer({ services: { orders: { instances: ['http://127.0.0.1:1'] } } });
      const p = b.call({ method: 'GET', url: new URL('http://orders/x') }).next();
      p.end({ status: 200 });
      let code;
      try { lb.createBalancer({ services: {} }); } catch (e) { code = e.code; }
      console.log(JSON.stringify({ ok: p.ok, id: p.instance.id, code, state: b.snapshot().services.orders.instances[0].state }));
      b.close();
    `);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ ok: true, id: 'http://127.0.0.1:1', code: 'ERR_BALANCER_CONFIG', state: 'healthy' });
  });

  it('the package entry resolves to the built ESM file with type declarations beside it', () => {
    const require = createRequire(join(here, '..', 'package.json'));
    const entry = require.resolve('@datapunk/balancer');
    expect(entry).toMatch(/packages\/balancer\/dist\/index\.js$/);
    const pkg = require('@datapunk/balancer/package.json') as { exports: Record<string, { types: string }> };
    expect(pkg.exports['.']!.types).toBe('./dist/index.d.ts');
  });
});
