// node functions.mjs <dir> <requests per window> <modes,comma> [top]: where each mode's instructions per
// request go, function by function, and how each mode differs from the first one. Reads the
// callgrind dumps of run.sh with FUNCTIONS=1 (instruction-level dumps, and Node's perf map, which
// names the JIT-compiled JavaScript functions callgrind sees only as addresses). Self cost: the
// instructions of the function itself and of what TurboFan inlined into it, not its callees.
// The first round of each mode (still warming up) is dropped; the others are averaged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDumps } from './dumps.mjs';

const [dir, perWindowText, modesText, topText] = process.argv.slice(2);
const perWindow = Number(perWindowText);
const top = Number(topText ?? 40);

/** The perf map of the measured process (run.sh moves it into `dir`): [start, size, name], sorted by start. */
function perfMap(pid) {
  const text = readFileSync(join(dir, `perf-${pid}.map`), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [start, size, ...name] = line.split(' ');
      return [parseInt(start, 16), parseInt(size, 16), name.join(' ')];
    })
    .sort((a, b) => a[0] - b[0]);
}

function nameAt(map, address) {
  let lo = 0;
  let hi = map.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid][0] <= address) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && address < map[found][0] + map[found][1] ? map[found][2] : undefined;
}

/** Self instructions by function name in one dump (lines after `calls=` are callees' costs: skipped). */
function selfCosts(text, map) {
  const costs = new Map();
  let fn = '';
  let object = '';
  let callee = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.startsWith('ob=')) object = line.slice(3);
    else if (line.startsWith('calls=')) callee = true;
    else if (line.startsWith('0x')) {
      if (callee) {
        callee = false;
        continue;
      }
      const [address, , cost] = line.split(' ');
      const name = fn.startsWith('0x') ? (nameAt(map, parseInt(address, 16)) ?? `(unnamed code in ${object})`) : fn;
      costs.set(name, (costs.get(name) ?? 0) + Number(cost));
    } else callee = false;
  }
  return costs;
}

const short = (name) => name.replace(/file:\/\/\/\S*?\/packages\//, '').replace(/\S*node_modules\/\.pnpm\/([^/]+)\/node_modules\/\S*?\/lib\//, '$1 ');

const byMode = new Map();
for (const { mode, round, text } of readDumps(dir)) {
  if (round === 0) continue; // warming up
  const pid = /^pid: (\d+)/m.exec(text)[1];
  const costs = selfCosts(text, perfMap(pid));
  const sum = byMode.get(mode) ?? { rounds: 0, costs: new Map() };
  sum.rounds++;
  for (const [name, cost] of costs) sum.costs.set(name, (sum.costs.get(name) ?? 0) + cost);
  byMode.set(mode, sum);
}
const perRequest = ({ rounds, costs }) => new Map([...costs].map(([name, cost]) => [name, cost / (rounds * perWindow)]));
const modes = modesText.split(',').filter((mode) => byMode.has(mode));
const base = perRequest(byMode.get(modes[0]));
const total = (costs) => [...costs.values()].reduce((a, b) => a + b, 0);
for (const mode of modes) {
  const costs = perRequest(byMode.get(mode));
  console.log(`\n${mode}: ${Math.round(total(costs))} instructions per request (all of them, JIT and GC included)`);
  const rows = mode === modes[0] ? [...costs].map(([n, c]) => [n, c, c]) : [...new Set([...costs.keys(), ...base.keys()])].map((n) => [n, costs.get(n) ?? 0, (costs.get(n) ?? 0) - (base.get(n) ?? 0)]);
  rows.sort((a, b) => Math.abs(b[2]) - Math.abs(a[2]));
  if (mode !== modes[0]) console.log(`  ${'vs ' + modes[0]}: ${Math.round(total(costs) - total(base))} per request; the functions that differ most:`);
  for (const [name, cost, delta] of rows.slice(0, top)) {
    console.log(`  ${String(Math.round(cost)).padStart(7)}${mode === modes[0] ? '' : ` ${(delta >= 0 ? '+' : '') + Math.round(delta)}`.padStart(8)}  ${short(name).slice(0, 150)}`);
  }
}
