// node cache.mjs <dir> <requests per window>: simulated cache and branch misses per request of
// each mode (CACHE=1 run.sh), from the totals of the callgrind dumps in <dir>; the first round
// (still warming up) is dropped, the median of the others printed. Events: I1mr/D1mr/D1mw first-
// level instruction and data misses, ILmr/DLmr/DLmw last-level misses, Bcm/Bim mispredicted
// conditional and indirect branches.
import { median, readDumps } from './dumps.mjs';

const [dir, perWindowText] = process.argv.slice(2);
const perWindow = Number(perWindowText);
const byMode = new Map();
let names = [];
for (const { mode, round, text } of readDumps(dir)) {
  const events = /^events: (.*)$/m.exec(text)?.[1].split(' ');
  const totals = /^(?:summary|totals): (.*)$/m.exec(text)?.[1].split(' ').map(Number);
  if (!events || !totals) continue;
  names = events;
  if (!byMode.has(mode)) byMode.set(mode, []);
  byMode.get(mode)[round] = totals.map((x) => x / perWindow);
}
const shown = names.filter((n) => n !== 'Ir' && n !== 'Dr' && n !== 'Dw' && n !== 'Bc' && n !== 'Bi');
console.log(`${'per request'.padEnd(24)} ${shown.map((n) => n.padStart(8)).join(' ')}`);
for (const [mode, rounds] of byMode) {
  const kept = rounds.slice(1).filter((x) => x !== undefined);
  const row = shown.map((n) => median(kept.map((r) => r[names.indexOf(n)])));
  console.log(`${mode.padEnd(24)} ${row.map((x) => String(Math.round(x)).padStart(8)).join(' ')}`);
}
