/**
 * Two small inline-SVG chart kinds for the HTML report (lines over time with fault windows
 * shaded, and bars), as strings: no library, no script, no external asset. The demo's charts
 * are bound to its recorder's types, so these stay separate and small.
 */

const WIDTH = 960;
const LEFT = 70;
const RIGHT = 200;
const TOP = 12;
const PLOT_W = WIDTH - LEFT - RIGHT;

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f', '#ff9da7', '#bab0ac'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  const m = max / p;
  const nice = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((n) => m <= n) ?? 10;
  return nice * p;
}

export interface Line {
  readonly name: string;
  readonly values: readonly (number | undefined)[];
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface Window {
  readonly label: string;
  readonly fromS: number;
  readonly toS: number;
}

export interface LineChartOptions {
  readonly label: string;
  readonly unit: string;
  readonly lines: readonly Line[];
  /** A shaded band between two series (e.g. least and most loaded instance). */
  readonly band?: { readonly name: string; readonly lower: readonly number[]; readonly upper: readonly number[] };
  readonly windows?: readonly Window[];
  /** Fixed top of the y axis (e.g. 100 for percentages). */
  readonly yMax?: number;
  readonly yMin?: number;
  readonly height?: number;
}

/** Values per second, drawn at the middle of their second. */
export function lineChart(o: LineChartOptions): string {
  const height = o.height ?? 220;
  const bottom = height - 28;
  const n = Math.max(1, ...o.lines.map((l) => l.values.length), o.band?.upper.length ?? 0);
  const x = (i: number): number => LEFT + ((i + 0.5) / n) * PLOT_W;
  const xs = (s: number): number => LEFT + (Math.max(0, Math.min(n, s)) / n) * PLOT_W;
  const all = [...o.lines.flatMap((l) => l.values.filter((v): v is number => v !== undefined)), ...(o.band?.upper ?? [])];
  const yMin = o.yMin ?? 0;
  const yMax = o.yMax ?? niceMax(Math.max(yMin, ...all));
  const y = (v: number): number => bottom - ((Math.max(yMin, Math.min(yMax, v)) - yMin) / (yMax - yMin)) * (bottom - TOP);
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = yMin + ((yMax - yMin) * k) / 4;
    parts.push(`<line x1="${LEFT}" y1="${f1(y(v))}" x2="${LEFT + PLOT_W}" y2="${f1(y(v))}" class="grid"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${f1(y(v) + 4)}" class="tick" text-anchor="end">${escapeXml(`${+v.toPrecision(3)}${o.unit}`)}</text>`);
  }
  const step = n <= 20 ? 2 : n <= 60 ? 10 : n <= 300 ? 30 : 60;
  for (let s = 0; s <= n; s += step) parts.push(`<text x="${f1(xs(s))}" y="${bottom + 16}" class="tick" text-anchor="middle">${s} s</text>`);
  for (const w of o.windows ?? []) {
    parts.push(
      `<rect x="${f1(xs(w.fromS))}" y="${TOP}" width="${f1(Math.max(1, xs(w.toS) - xs(w.fromS)))}" height="${bottom - TOP}" class="fault"><title>${escapeXml(
        `${w.label}: ${w.fromS}-${w.toS} s`,
      )}</title></rect>`,
    );
  }
  if (o.band && o.band.upper.length > 0) {
    const up = o.band.upper.map((v, i) => `${f1(x(i))},${f1(y(v))}`);
    const low = o.band.lower.map((v, i) => `${f1(x(i))},${f1(y(v))}`).reverse();
    parts.push(`<polygon points="${[...up, ...low].join(' ')}" class="band"><title>${escapeXml(o.band.name)}</title></polygon>`);
  }
  const legend: string[] = [];
  o.lines.forEach((l, k) => {
    const color = l.color ?? PALETTE[k % PALETTE.length]!;
    const pts = l.values.flatMap((v, i) => (v === undefined ? [] : [`${f1(x(i))},${f1(y(v))}`]));
    if (pts.length > 0) {
      parts.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 3"' : ''} class="series"><title>${escapeXml(l.name)}</title></polyline>`,
      );
    }
    const ly = TOP + 8 + k * 16;
    legend.push(`<rect x="${LEFT + PLOT_W + 12}" y="${ly - 9}" width="12" height="4" fill="${color}"/><text x="${LEFT + PLOT_W + 30}" y="${ly - 4}" class="legend">${escapeXml(l.name)}</text>`);
  });
  if (o.band) {
    const ly = TOP + 8 + o.lines.length * 16;
    legend.push(`<rect x="${LEFT + PLOT_W + 12}" y="${ly - 12}" width="12" height="10" class="band"/><text x="${LEFT + PLOT_W + 30}" y="${ly - 4}" class="legend">${escapeXml(o.band.name)}</text>`);
  }
  return svg(height, o.label, parts.join('') + legend.join(''));
}

/** Vertical bars with labels under them (a histogram). */
export function barChart(label: string, bars: readonly { readonly label: string; readonly value: number }[], unit: string, height = 200): string {
  const bottom = height - 28;
  const max = niceMax(Math.max(1, ...bars.map((b) => b.value)));
  const w = PLOT_W / Math.max(1, bars.length);
  const parts = bars.map((b, i) => {
    const h = (b.value / max) * (bottom - TOP);
    const x = LEFT + i * w;
    const text = bars.length <= 40 || i % Math.ceil(bars.length / 40) === 0 ? `<text x="${f1(x + w / 2)}" y="${bottom + 14}" class="tick" text-anchor="middle">${escapeXml(b.label)}</text>` : '';
    return `<rect x="${f1(x + 1)}" y="${f1(bottom - h)}" width="${f1(Math.max(1, w - 2))}" height="${f1(h)}" class="bar"><title>${escapeXml(`${b.label}: ${b.value}${unit}`)}</title></rect>${text}`;
  });
  const axis = [0, max / 2, max].map((v) => {
    const yy = bottom - (v / max) * (bottom - TOP);
    return `<line x1="${LEFT}" y1="${f1(yy)}" x2="${LEFT + PLOT_W}" y2="${f1(yy)}" class="grid"/><text x="${LEFT - 6}" y="${f1(yy + 4)}" class="tick" text-anchor="end">${escapeXml(`${+v.toPrecision(3)}${unit}`)}</text>`;
  });
  return svg(height, label, axis.join('') + parts.join(''));
}

function svg(height: number, label: string, body: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(label)}">${body}</svg>`;
}
