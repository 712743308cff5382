/**
 * The self-contained HTML report of a run: key figures, charts (inline SVG) and tables, no
 * script and no external asset, so it opens from disk, in CI artifacts or in a mail.
 */
import type { SimResult } from './result.js';
import { barChart, escapeXml, lineChart, type Window } from './svg.js';

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 12px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.lead { color: #555; margin-top: 0; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.figure { flex: 1 1 120px; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.figure b { display: block; font-size: 20px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
svg.chart { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #eee; margin: 6px 0 12px; }
svg .grid { stroke: #eee; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #666; }
svg .legend { font-size: 12px; fill: #222; }
svg .fault { fill: #b07aa1; fill-opacity: 0.13; }
svg .band { fill: #4e79a7; fill-opacity: 0.15; }
svg .bar { fill: #4e79a7; }
.note { color: #666; font-size: 13px; }
`;

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

function windows(result: SimResult): Window[] {
  return result.faults.map((f) => ({ label: `${f.kind} on ${f.instances.length > 3 ? `${f.instances.length} instances` : f.instances.join(', ')}`, fromS: f.fromS, toS: f.toS }));
}

/** Connections per instance as a histogram: instances per number of distinct clients. */
function connectionBars(result: SimResult): { label: string; value: number }[] {
  const counts = result.instances.map((i) => i.connections);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const width = Math.max(1, Math.ceil((max - min + 1) / 40));
  const bars: { label: string; value: number }[] = [];
  for (let lo = min; lo <= max; lo += width) {
    bars.push({ label: width === 1 ? String(lo) : `${lo}-${lo + width - 1}`, value: counts.filter((c) => c >= lo && c < lo + width).length });
  }
  return bars;
}

export function renderHtml(result: SimResult): string {
  const s = result.scenario;
  const c = result.callers;
  const t = result.timeline;
  const w = windows(result);
  const figure = (label: string, value: string): string => `<div class="figure">${escapeXml(label)}<b>${escapeXml(value)}</b></div>`;
  const shown = [...result.instances].sort((a, b) => b.attempts - a.attempts).slice(0, 25);
  const names = new Set(shown.map((i) => i.name));
  const rows = shown.concat(result.instances.filter((i) => !names.has(i.name) && result.series[i.name] !== undefined));
  const instanceRows = rows
    .map((i) => `<tr><td>${escapeXml(i.name)}</td><td class="text">${escapeXml(i.zone ?? '-')}</td><td>${i.attempts}</td><td>${i.sharePercent.toFixed(2)}%</td><td>${i.peakPerS}</td><td>${i.connections}</td></tr>`)
    .join('');
  const zoneRows = Object.entries(result.zones)
    .map(([z, v]) => `<tr><td>${escapeXml(z)}</td><td>${v.attempts}</td><td>${v.localPercent.toFixed(2)}%</td></tr>`)
    .join('');
  const failureRows = Object.entries(c.failures)
    .map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${v}</td></tr>`)
    .join('');
  const load = lineChart({
    label: 'attempts per second per instance',
    unit: '/s',
    lines: [
      ...Object.entries(result.series).map(([name, values]) => ({ name, values })),
      { name: 'median instance', values: t.map((x) => x.load.median), color: '#333', dashed: true },
    ],
    band: { name: 'least to most loaded', lower: t.map((x) => x.load.min), upper: t.map((x) => x.load.max) },
    windows: w,
    height: 260,
  });
  const latency = lineChart({
    label: "callers' latency per second (p50, p99)",
    unit: ' ms',
    lines: [
      { name: 'p99', values: t.map((x) => x.p99Ms), color: '#e15759' },
      { name: 'p50', values: t.map((x) => x.p50Ms), color: '#4e79a7' },
    ],
    windows: w,
  });
  const success = lineChart({
    label: "callers' success rate per second",
    unit: '%',
    lines: [{ name: 'success', values: t.map((x) => (x.requests > 0 ? x.successPercent : undefined)), color: '#59a14f' }],
    yMin: Math.min(90, Math.floor(Math.min(100, ...t.filter((x) => x.requests > 0).map((x) => x.successPercent)) / 10) * 10),
    yMax: 100,
    windows: w,
  });
  const health = lineChart({
    label: 'ejections, unhealthy marks and panic, as the clients saw them',
    unit: '',
    lines: [
      { name: 'ejected (client, instance)', values: t.map((x) => x.ejected), color: '#f28e2b' },
      { name: 'unhealthy (client, instance)', values: t.map((x) => x.unhealthy), color: '#e15759' },
      { name: 'clients in panic', values: t.map((x) => x.panicking), color: '#b07aa1' },
      { name: 'ejections per second', values: t.map((x) => x.ejections), color: '#333', dashed: true },
    ],
    windows: w,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>datapunk simulator: ${escapeXml(s.name)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Simulation: ${escapeXml(s.name)}</h1>
<p class="lead">${escapeXml(s.description)}<br>
${s.clients} clients x ${s.instances} instances, ${s.durationS} s of simulated time, seed ${s.seed}; subset: ${escapeXml(s.subset)}; zone-aware: ${s.zoneAware ? 'on' : 'off'}.
The balancers are the real @datapunk/balancer core on a virtual clock; the same seed gives the same report.</p>
<div class="figures">
${figure('requests', String(c.requests))}
${figure('success', `${c.successPercent.toFixed(2)}%`)}
${figure('p50 / p99', `${ms(c.latencyMs.p50)} / ${ms(c.latencyMs.p99)}`)}
${figure('retries', `${c.retryPercent.toFixed(2)}% of calls`)}
${figure('ejections', String(result.ejections.total))}
${figure('most clients in panic', String(result.ejections.maxClientsInPanic))}
${figure('connections per instance', `${result.connections.min}-${result.connections.max} (mean ${result.connections.mean})`)}
</div>
<h2>Load per instance</h2>
<p class="note">Attempts received per second (retries included); the band spans the least to the most loaded instance; shaded: faults.</p>
${load}
<h2>Callers</h2>
${latency}
${success}
<p class="note">Per second of sending, end to end (retries and backoff included). Spread over clients: success ${c.clientSuccessPercent.min}% to ${c.clientSuccessPercent.max}%, p99 ${c.clientP99Ms.min} to ${c.clientP99Ms.max} ms.</p>
${failureRows ? `<table><thead><tr><th>failure</th><th>calls</th></tr></thead><tbody>${failureRows}</tbody></table>` : '<p class="note">No failed calls.</p>'}
<h2>Ejections and panic</h2>
${health}
<p class="note">Ejections by reason: ${escapeXml(Object.entries(result.ejections.byReason).map(([k, v]) => `${k} x${v}`).join(', ') || 'none')}; panics entered: ${result.ejections.panics}.</p>
<h2>Connections per instance</h2>
<p class="note">Instances by the number of distinct clients that sent them traffic (total ${result.connections.total}).</p>
${barChart('instances by connected clients', connectionBars(result), '')}
${zoneRows ? `<h2>Zones</h2><table><thead><tr><th>callers' zone</th><th>attempts</th><th>local</th></tr></thead><tbody>${zoneRows}</tbody></table>` : ''}
<h2>Instances</h2>
<table><thead><tr><th>instance</th><th>zone</th><th>attempts</th><th>share</th><th>peak /s</th><th>clients</th></tr></thead><tbody>${instanceRows}</tbody></table>
</body>
</html>
`;
}
