/**
 * The packages as a consumer gets them: every published package is packed with `pnpm pack`, the
 * tarballs are installed with npm into a fresh project outside the workspace (third-party
 * dependencies from the npm registry, at the versions the workspace tests), and a consumer's
 * programs use each adapter against a loopback fleet: an ESM program type-checked under
 * node16, nodenext and bundler resolution, a CommonJS one under nodenext, both then run as
 * compiled. The tarballs hold only what users need: `dist` JavaScript and declarations (no
 * source maps, no build info, no tests), README, LICENSE, complete metadata.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const PACKAGES = ['balancer', 'axios', 'got', 'undici', 'etcd', 'testkit', 'simulator'] as const;
const REPOSITORY = 'git+https://github.com/datapunk/balancer.git';

/** Third-party packages the consumer installs, at the versions the workspace resolves and tests. */
/** A consumer runs without the workspace's NODE_OPTIONS (the Node 24 run's got 16 resolve hook). */
const consumerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));

function workspaceVersion(name: string): string {
  // Read the files: some packages (got) do not export their package.json.
  for (const dir of ['test', 'packages/balancer', '.']) {
    try {
      return (JSON.parse(readFileSync(join(root, dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not a dependency of this one
    }
  }
  throw new Error(`${name} is not installed in the workspace`);
}

interface Packed {
  readonly dir: string;
  readonly tarball: string;
  readonly bytes: number;
  readonly files: readonly { path: string; bytes: number }[];
  readonly manifest: Record<string, unknown>;
}

let work: string;
const packed = new Map<string, Packed>();

async function pack(dir: string, into: string): Promise<Packed> {
  const before = new Set(readdirSync(into));
  await run('pnpm', ['pack', '--pack-destination', into], { cwd: join(root, 'packages', dir) });
  const tarball = join(into, readdirSync(into).find((f) => !before.has(f) && f.endsWith('.tgz'))!);
  const { stdout } = await run('tar', ['-tzvf', tarball]);
  const files = stdout
    .trim()
    .split('\n')
    .map((line) => {
      const cols = line.trim().split(/\s+/);
      return { path: cols.at(-1)!.replace(/^package\//, ''), bytes: Number(cols[2]) };
    });
  const { stdout: manifest } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  const bytes = readFileSync(tarball).length;
  return { dir, tarball, bytes, files, manifest: JSON.parse(manifest) as Record<string, unknown> };
}

/** Runs the workspace's TypeScript on a consumer tsconfig; resolves to its diagnostics. */
async function typecheck(project: string): Promise<string> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', project], { cwd: work });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

function tsconfig(name: string, compilerOptions: Record<string, unknown>, files: string[]): string {
  // skipLibCheck as consumers set it: the declarations were checked when they were built, and
  // checking every dependency's (got's, undici's, @types/node) would triple the time.
  const base = { target: 'ES2022', lib: ['ES2023'], strict: true, types: ['node'], skipLibCheck: true, noEmit: true };
  writeFileSync(join(work, name), JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, files }, null, 2));
  return name;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'datapunk-consumer-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const p of PACKAGES) packed.set(p, await pack(p, tarballs)); // one at a time: pnpm pack shares the dist it reads
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  // On the Node 24 run (GOT_MAJOR=16) the consumer gets got 16, as a Node 24 user would.
  const got = `got@${workspaceVersion(process.env.GOT_MAJOR === '16' ? 'got16' : 'got')}`;
  const thirdParty = [got, ...['axios', 'undici', '@opentelemetry/api', '@types/node'].map((n) => `${n}@${workspaceVersion(n)}`)];
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error', ...[...packed.values()].map((p) => p.tarball), ...thirdParty],
    { cwd: work, timeout: 90_000 },
  );
  for (const f of ['esm.mts', 'cjs.cts']) copyFileSync(join(here, 'consumer', f), join(work, f));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('tarballs', () => {
  it('hold dist JavaScript and declarations, README, LICENSE and package.json; no maps, build info or tests', () => {
    const summary: Record<string, unknown> = {};
    for (const [name, p] of packed) {
      const paths = p.files.map((f) => f.path);
      expect(paths, name).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
      for (const path of paths) {
        expect(path, `${name}: ${path}`).toMatch(/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/);
        expect(path, `${name}: ${path}`).not.toMatch(/\.test\.|test-helpers|tsbuildinfo|\.map$/);
      }
      for (const js of paths.filter((f) => f.endsWith('.js'))) expect(paths, `${name}: declarations of ${js}`).toContain(js.replace(/\.js$/, '.d.ts'));
      summary[name] = { tarball: p.bytes, unpacked: p.files.reduce((s, f) => s + f.bytes, 0), files: paths.length };
    }
    mkdirSync(join(root, '.artifacts'), { recursive: true });
    writeFileSync(join(root, '.artifacts', 'packaging.json'), JSON.stringify({ summary, files: Object.fromEntries([...packed].map(([n, p]) => [n, p.files])) }, null, 2));
  });

  it('carry complete metadata, one version for all (a fixed group), and no workspace: ranges', () => {
    const versions = new Set<unknown>();
    for (const [name, p] of packed) {
      const m = p.manifest;
      versions.add(m.version);
      expect(m, name).toMatchObject({
        license: 'MIT',
        type: 'module',
        sideEffects: false,
        engines: { node: '>=20.19.0' },
        repository: { type: 'git', url: REPOSITORY, directory: `packages/${name}` },
        bugs: { url: expect.stringMatching(/^https:\/\//) },
        homepage: expect.stringMatching(/^https:\/\//),
        publishConfig: { access: 'public' },
      });
      expect((m.keywords as string[]).length, name).toBeGreaterThan(2);
      expect(typeof m.description).toBe('string');
      expect(JSON.stringify(m), name).not.toContain('workspace:');
      expect(JSON.stringify(m.scripts ?? {}), name).not.toMatch(/dist\/bench/);
    }
    expect([...versions]).toHaveLength(1);
    for (const [name, p] of packed) {
      if (name === 'balancer' || name === 'testkit') continue;
      if (name === 'simulator') {
        // An application, not a plug-in: it brings the exact core it was tested with.
        expect((p.manifest.dependencies as Record<string, string>)['@datapunk/balancer'], name).toBe(String(p.manifest.version));
        continue;
      }
      expect((p.manifest.peerDependencies as Record<string, string>)['@datapunk/balancer'], name).toBe(`^${String(p.manifest.version)}`);
    }
  });
});

describe('a consumer project outside the workspace, installed with npm from the tarballs', () => {
  it('type-checks: ESM under node16, nodenext and bundler; CommonJS under nodenext', async () => {
    const projects = [
      tsconfig('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16' }, ['esm.mts']),
      tsconfig('tsconfig.nodenext.json', { module: 'nodenext', moduleResolution: 'nodenext', noEmit: false, outDir: 'out', rootDir: '.' }, ['esm.mts', 'cjs.cts']),
      tsconfig('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler' }, ['esm.mts']),
    ];
    const diagnostics = await Promise.all(projects.map(typecheck));
    expect(Object.fromEntries(projects.map((p, i) => [p, diagnostics[i]]))).toEqual(Object.fromEntries(projects.map((p) => [p, ''])));
  }, 60_000);

  it('runs the compiled ESM program: each adapter reaches the fleet, errors are the client\'s own', async () => {
    const { stdout } = await run(process.execPath, ['out/esm.mjs'], { cwd: work, timeout: 20_000, env: consumerEnv });
    const out = JSON.parse(stdout) as Record<string, [number, string] | unknown>;
    for (const client of ['axios', 'got', 'request', 'fetch']) expect(out[client], client).toEqual([200, expect.stringMatching(/^orders-[01]$/)]);
    expect(out).toMatchObject({ axiosError: [true, 'ERR_NO_AVAILABLE_INSTANCE'], noInstance: true, etcd: 'etcd' });
  }, 30_000);

  it('runs the compiled CommonJS program: instanceof axios.AxiosError holds for every balanced error', async () => {
    const { stdout } = await run(process.execPath, ['out/cjs.cjs'], { cwd: work, timeout: 20_000, env: consumerEnv });
    expect(JSON.parse(stdout)).toEqual({
      axios: 200,
      noInstance: [true, 'ERR_NO_AVAILABLE_INSTANCE', null],
      status500: [true, 'ERR_BAD_RESPONSE', 500],
      refused: [true, 'ECONNREFUSED', null],
      got: 200,
      request: 200,
      fetch: 200,
    });
  }, 30_000);
});
