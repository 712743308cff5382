// node windows.mjs <root> <client> <modes,comma> <warm> <measure> <rounds> <urlsJson> <toggle.node>
// Under callgrind (--collect-atstart=no): one dump per (round, mode), labelled mode:round. A mode
// may name another checkout as mode@/path/to/repo (a before/after in one process).
import { createRequire } from 'node:module';
import { makeClient } from './clients.mjs';
const [root, client, modesText, warmText, measureText, roundsText, urlsJson, togglePath] = process.argv.slice(2);
const cg = createRequire(import.meta.url)(togglePath);
const modes = modesText.split(','), W = +warmText, M = +measureText, R = +roundsText, C = 16;
const urls = JSON.parse(urlsJson);
const clients = [];
for (const m of modes) { const [mode, other] = m.split('@'); clients.push([m, await makeClient(other ?? root, client, mode, urls)]); }
async function drive(send, n) { let left = n; const worker = async () => { while (left-- > 0) await send(); }; await Promise.all(Array.from({ length: C }, worker)); }
for (const [, c] of clients) await drive(c.send, W);
const times = {};
for (let r = 0; r < R; r++) {
  const order = r % 2 === 0 ? clients : [...clients].reverse();
  for (const [m, c] of order) { await new Promise((res) => setImmediate(res)); if (process.env.GC) globalThis.gc(); const c0 = process.cpuUsage(); const t0 = performance.now(); cg.on(); await drive(c.send, M); cg.off(`${m}:${r}`); const cu = process.cpuUsage(c0); (times[m] ??= []).push([(cu.user / M).toFixed(2), (cu.system / M).toFixed(2), ((performance.now() - t0) * 1000 / M).toFixed(2)]); }
}
if (process.env.TIMES) for (const [m, t] of Object.entries(times)) console.log(m.padEnd(10), 'user/sys/wall us per req:', t.map((x) => x.join('/')).join('  '));
for (const [, c] of clients) await c.close();
process.exit(0);
