/**
 * What the terminal shows while the demo runs. In a TTY: a table redrawn in place (cursor up,
 * clear, redraw) with a progress bar; elsewhere (CI, pipes): one plain line every few seconds.
 */
import type { FaultPeriod } from './fleet-script.js';
import type { InstanceInfo, RecentFigures } from './recorder.js';

const ESC = '\x1b[';
const color = (code: number, text: string, on: boolean): string => (on ? `${ESC}${code}m${text}${ESC}0m` : text);
const STATE_COLOR: Readonly<Record<string, number>> = { healthy: 32, unhealthy: 31, ejected: 33, draining: 90 };

export interface Frame {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly instances: readonly InstanceInfo[];
  readonly recent: ReadonlyMap<string, RecentFigures>;
  readonly ejections: ReadonlyMap<string, number>;
  readonly errorsTotal: ReadonlyMap<string, number>;
  /** Faults running now. */
  readonly faults: readonly FaultPeriod[];
  readonly calls: number;
  readonly callFailures: number;
  readonly retries: number;
  readonly inFlight: number;
  readonly windowS: number;
  /** Where metrics are served, and how many scrapes so far (undefined: not served). */
  readonly metrics: { readonly url: string; readonly scrapes: number } | undefined;
  /** Strategy per service, for the group headers. */
  readonly strategies: Readonly<Record<string, string>>;
}

function bar(fraction: number, width: number): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));

/** The table as lines (no trailing newline), colored when `ansi`. */
export function renderTable(frame: Frame, ansi: boolean): string[] {
  const lines: string[] = [];
  const progress = frame.elapsedMs / frame.durationMs;
  const success = frame.calls === 0 ? 100 : ((frame.calls - frame.callFailures) / frame.calls) * 100;
  lines.push(
    `${color(1, 'datapunk balancer demo', ansi)}  ${bar(progress, 30)} ${(frame.elapsedMs / 1000).toFixed(0).padStart(3)}/${(frame.durationMs / 1000).toFixed(0)} s`,
  );
  lines.push(
    `callers: ${frame.calls} requests, ${color(success >= 99 ? 32 : 31, `${success.toFixed(2)}% ok`, ansi)}, ${frame.retries} retries, ${frame.inFlight} in flight`,
  );
  lines.push(
    color(2, frame.metrics ? `prometheus: ${frame.metrics.url} (${frame.metrics.scrapes} scrapes so far)` : 'prometheus: not served', ansi),
  );
  lines.push('');
  lines.push(
    color(2, `  instance    state       share (last ${frame.windowS} s)          p50 ms  p99 ms  errors  ejections  fault now`, ansi),
  );
  let service = '';
  for (const info of frame.instances) {
    if (info.service !== service) {
      service = info.service;
      lines.push(`  ${color(1, service, ansi)}${frame.strategies[service] ? color(2, ` (${frame.strategies[service]})`, ansi) : ''}`);
    }
    const r = frame.recent.get(info.name);
    const state = r?.state ?? 'healthy';
    const share = r?.share ?? 0;
    const fault = frame.faults.find((f) => f.instance === info.name);
    const errors = frame.errorsTotal.get(info.name) ?? 0;
    const recentErrors = (r?.failures ?? 0) > 0;
    lines.push(
      [
        `  ${info.name.padEnd(11)}`,
        color(STATE_COLOR[state] ?? 0, state.padEnd(10), ansi),
        ` ${bar(share, 16)} ${`${(share * 100).toFixed(0)}%`.padStart(4)} `,
        ms(r?.p50Ms).padStart(7),
        ms(r?.p99Ms).padStart(7),
        color(recentErrors ? 31 : 0, String(errors).padStart(7), ansi && recentErrors),
        String(frame.ejections.get(info.name) ?? 0).padStart(10),
        `  ${fault ? color(35, fault.label, ansi) : ''}`,
      ].join(' '),
    );
  }
  return lines;
}

/** Redraws a block of lines in place on a TTY stream. */
export class LiveTable {
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(lines: readonly string[]): void {
    const width = this.out.columns ?? 120;
    const up = this.drawn > 0 ? `${ESC}${this.drawn}A` : '';
    // Cut each line to the terminal width (ANSI codes do not count) so a wrapped line never
    // breaks the cursor arithmetic.
    const body = lines.map((l) => `${ESC}2K${fit(l, width - 1)}`).join('\n');
    this.out.write(`${up}\r${body}\n${ESC}0J`);
    this.drawn = lines.length;
  }

  hideCursor(): void {
    this.out.write(`${ESC}?25l`);
  }

  showCursor(): void {
    this.out.write(`${ESC}?25h`);
  }
}

function fit(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}

/** One plain line for logs and CI: progress, callers, states that are not healthy. */
export function plainLine(frame: Frame): string {
  const success = frame.calls === 0 ? 100 : ((frame.calls - frame.callFailures) / frame.calls) * 100;
  const notHealthy = frame.instances
    .map((i) => [i.name, frame.recent.get(i.name)?.state ?? 'healthy'] as const)
    .filter(([, s]) => s !== 'healthy')
    .map(([n, s]) => `${n} ${s}`);
  const shares = frame.instances.map((i) => `${i.name} ${((frame.recent.get(i.name)?.share ?? 0) * 100).toFixed(0)}%`);
  return (
    `[${(frame.elapsedMs / 1000).toFixed(0).padStart(3)} s/${(frame.durationMs / 1000).toFixed(0)} s] ` +
    `${frame.calls} requests, ${success.toFixed(2)}% ok, ${frame.retries} retries; ` +
    `${notHealthy.length ? notHealthy.join(', ') : 'all healthy'}; share ${shares.join(' ')}`
  );
}
