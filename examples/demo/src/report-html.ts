/**
 * The self-contained HTML report: key figures, the fault script, and the charts (inline SVG, no
 * script, no external asset), so it can be opened from disk, attached to CI or mailed.
 */
import { STRATEGIES, type DemoTimings } from './balancer-config.js';
import { BUSY_CPU, REPORTED_CPU, SERVICES, type FaultPeriod } from './fleet-script.js';
import type { Recorder } from './recorder.js';
import type { Summary } from './summary.js';
import { escapeXml, latencyChart, shareChart, stateTimeline, STATE_COLORS } from './svg-charts.js';

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
svg .legend, svg .row-label { font-size: 12px; fill: #222; }
svg .fault { fill: #b07aa1; fill-opacity: 0.13; }
svg .fault-label { font-size: 11px; fill: #7b3f73; }
svg .fault-bar { fill: #b07aa1; }
svg .ejection { fill: #222; }
svg .p50 { fill: none; stroke: #4e79a7; stroke-width: 2; }
svg .p99 { fill: none; stroke: #e15759; stroke-width: 2; }
.key span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
.note { color: #666; font-size: 13px; }
`;

export interface ReportInputs {
  readonly summary: Summary;
  readonly recorder: Recorder;
  readonly faults: readonly FaultPeriod[];
  readonly durationMs: number;
  readonly timings: DemoTimings;
  readonly generatedAt: string;
}

/** Instances of the load-reporting service. */
const INVENTORY_SIZE = SERVICES.find((s) => s.name === 'inventory')?.count ?? 3;

/** What to look for in a service's share chart, by strategy. */
const SHARE_NOTES: Readonly<Record<string, string>> = {
  'peak-ewma':
    'Peak-EWMA picks the cheapest instance by latency estimate x (requests in flight + 1), comparing all of a small service: ' +
    'traffic leaves a slow or hung instance within a second, before any ejection. Healthy instances share evenly: estimates ' +
    'within 2x of the lowest count as ties and go by requests in flight alone, so alike instances each get about a quarter ' +
    'here rather than one taking most of it. A recovered instance comes back within seconds: an instance without a sample ' +
    'for 1 s is probed with a real request (at most 0.5% of picks), its first fast answer replaces its old estimate, and an ' +
    'instance back from an ejection or failing health checks restarts at its peers\' median.',
  'least-request':
    'Least-request sees neither latency nor errors (an instance failing fast even looks idle): the crashed and the failing ' +
    'instance lose their share only while ejected or marked unhealthy, and retries carry their requests elsewhere meanwhile.',
  'weighted-least-load':
    'Weighted-least-load follows what the instances say about their own load (ORCA endpoint-load-metrics, read from every ' +
    'response and every health check here), with gRFC A58\'s weights: reported requests per second / utilization. ' +
    `Every instance reports ${REPORTED_CPU * 100}% CPU at the same rate, so they share evenly; while one reports ${BUSY_CPU * 100}% ` +
    '(a batch job on its machine: its latency does not change, so no latency-based strategy could tell) its weight is a third ' +
    `of the others' and its share about ${(busyShare(INVENTORY_SIZE) * 100).toFixed(1)}% (A58's, for ${INVENTORY_SIZE} instances), and it gets a third again as soon as it reports ` +
    `${REPORTED_CPU * 100}% again. Weights are used after a blackout of reports (A58: 10 s; shortened for the demo, below) and recomputed periodically.`,
};

/** A58's share of the one busy instance among `count` that report the same rate. */
function busyShare(count: number): number {
  const busy = 1 / BUSY_CPU;
  return busy / (busy + (count - 1) / REPORTED_CPU);
}

/** What the run measured around each of the service's faults, as sentences. */
function faultNotes(service: string, s: Summary, faults: readonly FaultPeriod[]): string {
  return faults
    .filter((f) => f.service === service)
    .map((f) => s.faults.find((x) => x.instance === f.instance && x.kind === f.kind))
    .filter((f) => f !== undefined)
    .map((f) => {
      const during = f.sharePercentDuring === undefined ? '' : `${f.sharePercentDuring.toFixed(1)}% of the ${service} attempts meanwhile (fair: ${f.fairSharePercent.toFixed(0)}%)`;
      const back = f.backAtHalfShareAfterS === undefined ? 'not back at half its fair share by the end' : `back at half its fair share ${f.backAtHalfShareAfterS.toFixed(1)} s after it ended`;
      return `${f.instance} (${f.label}, ${f.fromS}-${f.toS} s): ${during ? `${during}, ` : ''}${back}.`;
    })
    .join(' ');
}

const fmt = (v: number | undefined, unit = ' ms'): string => (v === undefined ? '-' : `${v.toFixed(1)}${unit}`);

export function renderReport(input: ReportInputs): string {
  const { summary: s, recorder, faults, durationMs, timings } = input;
  const services = [...new Set(recorder.instances.map((i) => i.service))];
  const names = recorder.instances.map((i) => i.name);
  const figure = (label: string, value: string): string => `<div class="figure">${escapeXml(label)}<b>${escapeXml(value)}</b></div>`;
  const clientRows = Object.entries(s.clients)
    .concat([['all clients', s.callers]])
    .map(
      ([name, f]) =>
        `<tr><td>${escapeXml(name)}</td><td>${f.requests}</td><td>${f.successRate.toFixed(2)}%</td><td>${fmt(f.p50Ms)}</td><td>${fmt(f.p99Ms)}</td><td class="text">${escapeXml(
          Object.entries(f.failures)
            .map(([k, v]) => `${k} x${v}`)
            .join(', ') || '-',
        )}</td></tr>`,
    )
    .join('');
  const instanceRows = s.instances
    .map(
      (i) =>
        `<tr><td>${escapeXml(i.name)}</td><td>${i.sharePercent.toFixed(1)}%</td><td>${i.attempts}</td><td>${i.failures}</td><td>${i.ejections}</td><td class="text">${escapeXml(i.finalState)}</td><td class="text">${escapeXml(
          s.faults
            .filter((f) => f.instance === i.name)
            .map((f) => `${f.label}, ${f.fromS}-${f.toS} s`)
            .join('; ') || '-',
        )}</td></tr>`,
    )
    .join('');
  const faultRows = faults
    .map((f) => `<tr><td>${escapeXml(f.instance)}</td><td>${(f.startMs / 1000).toFixed(1)} s</td><td>${(f.endMs / 1000).toFixed(1)} s</td><td class="text">${escapeXml(f.label)}</td></tr>`)
    .join('');
  const stateKey = Object.entries(STATE_COLORS)
    .map(([state, c]) => `<span style="background:${c}"></span>${state}`)
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>datapunk balancer demo report</title>
<style>${CSS}</style>
</head>
<body>
<h1>datapunk balancer: demo report</h1>
<p class="lead">${s.durationS} s of open-loop traffic at ${s.rate} req/s through axios, got and undici fetch, all sharing one balancer
(${escapeXml(services.map((name) => `${name}: ${STRATEGIES[name] ?? 'peak-ewma'}`).join(', '))}; health checks every ${timings.healthIntervalMs} ms;
outlier ejection ${timings.baseEjectionMs} ms x times ejected; up to 2 retries on other instances, ${timings.perAttemptTimeoutMs} ms per attempt,
the default retry budget), against a loopback fleet with scripted faults.
Generated ${escapeXml(input.generatedAt)}.</p>

<div class="figures">
${figure('callers: success', `${s.callers.successRate.toFixed(2)}%`)}
${figure('requests', String(s.callers.requests))}
${figure('p50 / p99, ms', `${fmt(s.callers.p50Ms, '')} / ${fmt(s.callers.p99Ms, '')}`)}
${figure('retries', String(s.retries))}
${figure('ejections', String(s.ejections))}
${figure('recoveries', String(s.recoveries))}
</div>

<h2>Faults injected</h2>
<table><thead><tr><th>instance</th><th>from</th><th>to</th><th>what</th></tr></thead><tbody>${faultRows}</tbody></table>

${services
  .map(
    (service) => `<h2>Share of ${escapeXml(service)} traffic per instance</h2>
<p class="note">Attempts sent to each instance, as a share of the service's attempts (retries included), smoothed over 3 ticks; shaded: faults.
${escapeXml(SHARE_NOTES[STRATEGIES[service] ?? 'peak-ewma'] ?? '')}${
      STRATEGIES[service] === 'weighted-least-load' ? escapeXml(` Blackout here ${timings.loadBlackoutMs} ms, weights recomputed every ${timings.weightUpdateMs} ms.`) : ''
    }</p>
<p class="note">Measured: ${escapeXml(faultNotes(service, s, faults) || 'no fault on this service.')}</p>
${shareChart(
  service,
  recorder.instances.filter((i) => i.service === service).map((i) => i.name),
  recorder.samples,
  faults,
  durationMs,
)}`,
  )
  .join('\n')}

<h2>Instance states</h2>
<p class="note key">${stateKey}<span style="background:#b07aa1;height:5px"></span>fault running &nbsp; ▼ ejection</p>
<p class="note">Ejections come from outlier detection (5 failures in a row; ${timings.baseEjectionMs} ms x ejections in a row);
unhealthy from active health checks (2 failed checks; 2 passes bring it back). Recoveries: ${s.recoveries}.</p>
${stateTimeline(names, recorder.initialStates, recorder.states, recorder.ejections, faults, durationMs)}

<h2>Latency seen by callers</h2>
<p class="note">Per tick, end to end (retries and backoff included), every client and service together.</p>
${latencyChart(recorder.samples, faults, durationMs)}

<h2>Callers</h2>
<table><thead><tr><th>client</th><th>requests</th><th>success</th><th>p50</th><th>p99</th><th>failures</th></tr></thead><tbody>${clientRows}</tbody></table>

<h2>Instances</h2>
<table><thead><tr><th>instance</th><th>share</th><th>attempts</th><th>failed</th><th>ejections</th><th>final state</th><th>fault</th></tr></thead><tbody>${instanceRows}</tbody></table>
<p class="note">Metrics were served for Prometheus at ${escapeXml(s.metrics.url ?? `nowhere (${s.metrics.error ?? 'off'})`)} (${s.metrics.scrapes} scrapes); balancer logs: ${escapeXml(s.files.log)}.</p>
</body>
</html>
`;
}
