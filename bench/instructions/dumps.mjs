// The callgrind dumps run.sh leaves in its work directory: one per mode and round, labelled
// `mode:round` by windows.mjs when it stops collecting (callgrind's "Client Request" trigger).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every labelled dump in `dir`: its mode, round (0 is still warming up), path and text. */
export function readDumps(dir) {
  const dumps = [];
  for (const file of readdirSync(dir).filter((f) => f.startsWith('cg.out.'))) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const label = /desc: Trigger: Client Request: (\S+)/.exec(text)?.[1];
    if (!label) continue;
    const at = label.lastIndexOf(':');
    dumps.push({ mode: label.slice(0, at), round: Number(label.slice(at + 1)), path, text });
  }
  return dumps;
}

/** The median of `xs` (the lower middle one for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
