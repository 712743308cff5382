// node summary.mjs <dir> <requests per window>: instructions per request of each mode, from the
// callgrind dumps in <dir> (one per mode and round). "steady" leaves out the JIT compiler and
// old-generation GC, which come in bursts; the first round (still warming up) is dropped.
import { execFileSync } from 'node:child_process';
import { median, readDumps } from './dumps.mjs';

const [dir, perWindowText] = process.argv.slice(2);
const perWindow = Number(perWindowText);
const BURSTS = /compiler::|maglev|Maglev|Pipeline|Compil|Deoptimiz|Builtins_Deopt|Turbofan|Bytecode|Parser|Scanner|interpreter::|Marking|Mark|Sweep|Compact|Worklist|ShouldVisit|Visit|BodyDescriptor|RecordWrite|Barrier|SizeFromMap/;
const byMode = new Map();
for (const { mode, round, path } of readDumps(dir)) {
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', '--auto=no', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  let steady = 0;
  for (const line of annotated.split('\n')) {
    // The totals line and the frames below the event loop carry the whole window (100.0%): skipped.
    const m = /^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$/.exec(line);
    if (!m || m[2] === '100.0' || BURSTS.test(m[3])) continue;
    steady += Number(m[1].replace(/,/g, ''));
  }
  if (!byMode.has(mode)) byMode.set(mode, []);
  byMode.get(mode)[round] = Math.round(steady / perWindow);
}
for (const [mode, rounds] of byMode) {
  const kept = rounds.slice(1).filter((x) => x !== undefined);
  console.log(`${mode.padEnd(24)} steady ${median(kept)} instructions per request (rounds ${kept.join(' ')})`);
}
