#!/usr/bin/env node
/**
 * `datapunk-simulate <scenario> [--seed N] [--out DIR] [--json] [--quiet]`: runs a shipped scenario
 * (by name) or a scenario module (a path to a .js file default-exporting one), prints the summary
 * table, and writes `<name>.json` and `<name>.html` to the output directory (default
 * `.artifacts/simulator`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from './report-html.js';
import { renderTable } from './report-table.js';
import { runScenario } from './run.js';
import type { Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { parseArgs, USAGE } from './args.js';

async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const shipped = SCENARIOS[nameOrPath];
  if (shipped) return shipped;
  if (!/\.(m?js)$/.test(nameOrPath)) throw new Error(`no scenario named ${JSON.stringify(nameOrPath)}\n${USAGE}`);
  const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  const module = (await import(pathToFileURL(path).href)) as { default?: Scenario };
  if (!module.default || typeof module.default.name !== 'string') throw new Error(`${path}: expected a default export made with defineScenario()`);
  return module.default;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args.scenario === undefined) {
    console.log(USAGE);
    process.exitCode = 2;
    return;
  }
  const scenario = await loadScenario(args.scenario);
  const startedAt = performance.now();
  const result = await runScenario(scenario, {
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    onSecond: args.quiet || args.json || !process.stderr.isTTY ? undefined : (s, of) => process.stderr.write(`\rsimulated ${s}/${of} s`),
  });
  const wallS = (performance.now() - startedAt) / 1000;
  if (!args.quiet && !args.json && process.stderr.isTTY) process.stderr.write('\n');
  await mkdir(args.out, { recursive: true });
  const base = join(args.out, `${scenario.name}${args.seed === undefined ? '' : `-seed${args.seed}`}`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(`${base}.json`, json);
  await writeFile(`${base}.html`, renderHtml(result));
  if (args.json) {
    process.stdout.write(json);
    return;
  }
  console.log(renderTable(result));
  console.log(`\n${result.events} events in ${wallS.toFixed(1)} s of wall time`);
  console.log(`json: ${base}.json\nreport: ${base}.html`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
