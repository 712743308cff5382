/**
 * Inline SVG charts for the report, as strings: no library, no script, no external asset.
 * Every chart has the same time axis (seconds since the run started) and shades the periods
 * when a fault was running, so cause and effect line up vertically.
 */
import type { FaultPeriod } from './fleet-script.js';
import type { EjectionRecord, Sample, StateEvent } from './recorder.js';

const WIDTH = 960;
const LEFT = 110;
const RIGHT = 20;
const PLOT = WIDTH - LEFT - RIGHT;

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];
export const STATE_COLORS: Readonly<Record<string, string>> = {
  healthy: '#59a14f',
  unhealthy: '#e15759',
  ejected: '#f28e2b',
  draining: '#9d9d9d',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

interface Axis {
  readonly durationMs: number;
  x(tMs: number): number;
}

function timeAxis(durationMs: number): Axis {
  return { durationMs, x: (t) => LEFT + (Math.max(0, Math.min(durationMs, t)) / durationMs) * PLOT };
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function timeTicks(axis: Axis, top: number, bottom: number): string {
  const stepS = niceStep(axis.durationMs / 1000, 8);
  const out: string[] = [];
  for (let s = 0; s <= axis.durationMs / 1000 + 1e-9; s += stepS) {
    const x = f1(axis.x(s * 1000));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" class="grid"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" class="tick" text-anchor="middle">${f1(s)} s</text>`);
  }
  return out.join('');
}

function faultBands(axis: Axis, faults: readonly FaultPeriod[], top: number, bottom: number, withLabels: boolean): string {
  return faults
    .map((f, i) => {
      const x1 = axis.x(f.startMs);
      const x2 = axis.x(f.endMs);
      const label = withLabels
        ? `<text x="${f1(x1 + 3)}" y="${top + 12 + (i % 3) * 12}" class="fault-label">${escapeXml(`${f.instance}: ${f.kind}`)}</text>`
        : '';
      return `<rect x="${f1(x1)}" y="${top}" width="${f1(Math.max(1, x2 - x1))}" height="${bottom - top}" class="fault"><title>${escapeXml(
        `${f.instance}: ${f.label} (${f1(f.startMs / 1000)}-${f1(f.endMs / 1000)} s)`,
      )}</title></rect>${label}`;
    })
    .join('');
}

function svg(height: number, label: string, body: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(label)}">${body}</svg>`;
}

/**
 * Share of a service's attempts per instance over time, stacked to 100% (smoothed over
 * `smooth` ticks). Faults of that service's instances are shaded.
 */
export function shareChart(
  service: string,
  names: readonly string[],
  samples: readonly Sample[],
  faults: readonly FaultPeriod[],
  durationMs: number,
  smooth = 3,
): string {
  const height = 250;
  const top = 10;
  const bottom = height - 30;
  const axis = timeAxis(durationMs);
  const y = (fraction: number): number => bottom - fraction * (bottom - top);
  // Shares per tick, averaged over a sliding window of ticks.
  const raw = samples.map((s) => names.map((n) => s.instances[n]?.attempts ?? 0));
  const shares = raw.map((_, i) => {
    const window = raw.slice(Math.max(0, i - smooth + 1), i + 1);
    const sums = names.map((_, k) => window.reduce((a, row) => a + (row[k] ?? 0), 0));
    const total = sums.reduce((a, b) => a + b, 0);
    return sums.map((v) => (total > 0 ? v / total : 1 / names.length));
  });
  const xs = samples.map((s) => axis.x(s.tMs));
  const layers: string[] = [];
  const lower = shares.map(() => 0);
  names.forEach((name, k) => {
    const upper = lower.map((l, i) => l + (shares[i]?.[k] ?? 0));
    const pts = [
      ...xs.map((x, i) => `${f1(x)},${f1(y(upper[i] ?? 0))}`),
      ...xs.map((x, i) => `${f1(x)},${f1(y(lower[i] ?? 0))}`).reverse(),
    ];
    if (pts.length > 0) {
      layers.push(
        `<polygon points="${pts.join(' ')}" fill="${PALETTE[k % PALETTE.length]}" fill-opacity="0.85" class="share"><title>${escapeXml(name)}</title></polygon>`,
      );
    }
    upper.forEach((u, i) => (lower[i] = u));
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((v) => `<line x1="${LEFT}" y1="${f1(y(v))}" x2="${LEFT + PLOT}" y2="${f1(y(v))}" class="grid"/><text x="${LEFT - 6}" y="${f1(y(v) + 4)}" class="tick" text-anchor="end">${v * 100}%</text>`)
    .join('');
  const legend = names
    .map((n, k) => `<rect x="8" y="${top + 8 + k * 18}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/><text x="26" y="${top + 18 + k * 18}" class="legend">${escapeXml(n)}</text>`)
    .join('');
  const mine = faults.filter((f) => f.service === service);
  return svg(
    height,
    `share of ${service} traffic per instance over time`,
    `${yTicks}${timeTicks(axis, top, bottom)}${layers.join('')}${faultBands(axis, mine, top, bottom, true)}${legend}`,
  );
}

/**
 * One row per instance: its state over time as colored segments, ejections marked with a
 * triangle, and the instance's fault as a bar under the row.
 */
export function stateTimeline(
  names: readonly string[],
  initial: ReadonlyMap<string, string>,
  events: readonly StateEvent[],
  ejections: readonly EjectionRecord[],
  faults: readonly FaultPeriod[],
  durationMs: number,
): string {
  const rowH = 34;
  const top = 10;
  const bottom = top + names.length * rowH;
  const height = bottom + 30;
  const axis = timeAxis(durationMs);
  const rows = names.map((name, r) => {
    const y = top + r * rowH;
    const segments: string[] = [];
    let state = initial.get(name) ?? 'healthy';
    let since = 0;
    const push = (end: number): void => {
      const x1 = axis.x(since);
      const x2 = axis.x(end);
      if (x2 > x1) {
        segments.push(
          `<rect x="${f1(x1)}" y="${y + 4}" width="${f1(x2 - x1)}" height="16" fill="${STATE_COLORS[state] ?? '#777'}" class="state state-${escapeXml(state)}"><title>${escapeXml(
            `${name}: ${state} ${f1(since / 1000)}-${f1(end / 1000)} s`,
          )}</title></rect>`,
        );
      }
    };
    for (const e of events.filter((e) => e.instance === name)) {
      push(e.tMs);
      state = e.to;
      since = e.tMs;
    }
    push(durationMs);
    const marks = ejections
      .filter((e) => e.instance === name && e.enforced)
      .map((e) => {
        const x = axis.x(e.tMs);
        return `<path d="M${f1(x - 5)},${y - 3} L${f1(x + 5)},${y - 3} L${f1(x)},${y + 5} Z" class="ejection"><title>${escapeXml(
          `${name} ejected at ${f1(e.tMs / 1000)} s for ${f1(e.durationMs / 1000)} s (${e.reason}, x${e.timesEjected})`,
        )}</title></path>`;
      })
      .join('');
    const faultBars = faults
      .filter((f) => f.instance === name)
      .map((f) => {
        const x1 = axis.x(f.startMs);
        const x2 = axis.x(f.endMs);
        return `<rect x="${f1(x1)}" y="${y + 23}" width="${f1(Math.max(1, x2 - x1))}" height="5" class="fault-bar"><title>${escapeXml(f.label)}</title></rect>`;
      })
      .join('');
    return `<text x="${LEFT - 8}" y="${y + 17}" class="row-label" text-anchor="end">${escapeXml(name)}</text>${segments.join('')}${faultBars}${marks}`;
  });
  return svg(height, 'instance states over time, ejections marked', `${timeTicks(axis, top, bottom)}${rows.join('')}`);
}

/** Callers' p50 and p99 latency over time (per tick), ms, with every fault shaded. */
export function latencyChart(samples: readonly Sample[], faults: readonly FaultPeriod[], durationMs: number): string {
  const height = 240;
  const top = 10;
  const bottom = height - 30;
  const axis = timeAxis(durationMs);
  const max = Math.max(10, ...samples.map((s) => s.callP99Ms ?? 0));
  const step = niceStep(max, 5);
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number): number => bottom - (v / yMax) * (bottom - top);
  const line = (pick: (s: Sample) => number | undefined, cls: string): string => {
    const pts = samples.flatMap((s) => {
      const v = pick(s);
      return v === undefined ? [] : [`${f1(axis.x(s.tMs))},${f1(y(v))}`];
    });
    return pts.length ? `<polyline points="${pts.join(' ')}" class="${cls}"/>` : '';
  };
  const yTicks: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    yTicks.push(`<line x1="${LEFT}" y1="${f1(y(v))}" x2="${LEFT + PLOT}" y2="${f1(y(v))}" class="grid"/><text x="${LEFT - 6}" y="${f1(y(v) + 4)}" class="tick" text-anchor="end">${f1(v)} ms</text>`);
  }
  const legend = `<line x1="8" y1="24" x2="28" y2="24" class="p99"/><text x="32" y="28" class="legend">p99</text><line x1="8" y1="44" x2="28" y2="44" class="p50"/><text x="32" y="48" class="legend">p50</text>`;
  return svg(
    height,
    "callers' latency over time (p50 and p99)",
    `${yTicks.join('')}${timeTicks(axis, top, bottom)}${faultBands(axis, faults, top, bottom, false)}${line((s) => s.callP99Ms, 'p99')}${line((s) => s.callP50Ms, 'p50')}${legend}`,
  );
}
