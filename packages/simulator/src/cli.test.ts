/** The command: arguments, and a run of the built CLI on a scenario module (JSON on stdout, files written). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = promisify(execFile);

describe('parseArgs', () => {
  it('reads the scenario, the seed, the output directory and the flags', () => {
    expect(parseArgs(['deploy', '--seed', '7', '--out', '/tmp/x', '--json'])).toEqual({ scenario: 'deploy', seed: 7, out: '/tmp/x', json: true, quiet: false });
    expect(parseArgs([])).toMatchObject({ scenario: undefined, seed: undefined, json: false });
  });

  it.each([
    [['a', '--seed', '-1'], '--seed: expected an integer >= 0, got "-1"'],
    [['a', '--seed'], '--seed: expected an integer >= 0'],
    [['a', '--out'], '--out: expected a directory'],
    [['a', '--fast'], 'unknown option --fast'],
    [['a', 'b'], 'one scenario at a time'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('the built CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'datapunk-sim-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a scenario module, prints its JSON, and writes the JSON and the HTML report', async () => {
    const module = join(dir, 'tiny.mjs');
    await writeFile(
      module,
      `export default { name: 'tiny', description: 'two clients, three instances', durationS: 3, clients: { count: 2, ratePerS: 20 }, fleet: { count: 3 } };\n`,
    );
    const { stdout } = await run(process.execPath, [CLI, module, '--json', '--seed', '5', '--out', dir]);
    const result = JSON.parse(stdout) as { scenario: { name: string; seed: number }; callers: { requests: number } };
    expect(result.scenario).toMatchObject({ name: 'tiny', seed: 5 });
    expect(result.callers.requests).toBeGreaterThan(60);
    expect(await readFile(join(dir, 'tiny-seed5.json'), 'utf8')).toBe(stdout);
    expect(await readFile(join(dir, 'tiny-seed5.html'), 'utf8')).toContain('<h1>Simulation: tiny</h1>');
  });

  it('says what is wrong with an unknown scenario, with exit code 1', async () => {
    const failed = await run(process.execPath, [CLI, 'no-such-scenario']).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('no scenario named "no-such-scenario"');
    expect((failed as { stderr: string }).stderr).toContain('scenarios: slow-instance, subsetting');
  });
});
