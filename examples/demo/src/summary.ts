/**
 * The end-of-run summary: what callers saw per client and overall, what the balancer did
 * (retries, ejections, recoveries), per instance figures, and where everything was written.
 * The same object is printed and saved as `summary.json` for CI and scripts.
 */
import { CLIENT_NAMES } from './clients.js';
import { faultShares } from './fault-shares.js';
import type { FaultPeriod } from './fleet-script.js';
import { quantile, round1 } from './quantile.js';
import type { Recorder } from './recorder.js';

export interface CallerFigures {
  readonly requests: number;
  readonly ok: number;
  /** Percentage of requests that got a 2xx, e.g. 99.93. */
  readonly successRate: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly failures: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly durationS: number;
  readonly rate: number;
  readonly callers: CallerFigures;
  readonly clients: Readonly<Record<string, CallerFigures>>;
  /** Arrivals not sent because the concurrency bound was reached. */
  readonly shed: number;
  readonly retries: number;
  readonly retryRefusals: Readonly<Record<string, number>>;
  readonly ejections: number;
  readonly recoveries: number;
  readonly panics: number;
  readonly instances: readonly {
    readonly service: string;
    readonly name: string;
    readonly url: string;
    readonly attempts: number;
    readonly failures: number;
    /** Share of the service's attempts over the whole run, percent. */
    readonly sharePercent: number;
    readonly ejections: number;
    readonly finalState: string;
  }[];
  readonly faults: readonly {
    readonly instance: string;
    readonly kind: string;
    readonly label: string;
    readonly fromS: number;
    readonly toS: number;
    /** The instance's share of its service's attempts while the fault ran, percent. */
    readonly sharePercentDuring: number | undefined;
    /** Its fair share (1 / instances of the service), percent. */
    readonly fairSharePercent: number;
    /** Seconds after the fault ended until its share (over 1 s) was back at half its fair share; undefined: not by the end. */
    readonly backAtHalfShareAfterS: number | undefined;
  }[];
  readonly metrics: { readonly url: string | undefined; readonly error: string | undefined; readonly scrapes: number };
  /**
   * How late the demo's own event loop ran (ms). When the machine is starved of CPU, timers fire
   * late and per-attempt timeouts expire on healthy instances: the lag says so.
   */
  readonly eventLoopLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly files: { readonly report: string; readonly summary: string; readonly log: string };
}

function figures(requests: number, ok: number, latencies: readonly number[], failures: Record<string, number>): CallerFigures {
  return {
    requests,
    ok,
    successRate: requests === 0 ? 0 : Math.round((ok / requests) * 10_000) / 100,
    p50Ms: round1(quantile(latencies, 0.5)),
    p99Ms: round1(quantile(latencies, 0.99)),
    failures,
  };
}

export interface SummaryInputs {
  readonly durationS: number;
  readonly rate: number;
  readonly recorder: Recorder;
  readonly faults: readonly FaultPeriod[];
  readonly retries: number;
  readonly retryRefusals: Readonly<Record<string, number>>;
  readonly metrics: Summary['metrics'];
  readonly eventLoopLagMs: Summary['eventLoopLagMs'];
  readonly files: Summary['files'];
}

export function buildSummary(input: SummaryInputs): Summary {
  const { recorder } = input;
  const clients: Record<string, CallerFigures> = {};
  const all: number[] = [];
  const allFailures: Record<string, number> = {};
  let requests = 0;
  let ok = 0;
  for (const name of CLIENT_NAMES) {
    const t = recorder.clients.get(name);
    if (!t) continue;
    clients[name] = figures(t.requests, t.ok, t.latenciesMs, t.failures);
    requests += t.requests;
    ok += t.ok;
    all.push(...t.latenciesMs);
    for (const [k, v] of Object.entries(t.failures)) allFailures[k] = (allFailures[k] ?? 0) + v;
  }
  const ejections = recorder.ejectionCounts();
  const perInstance = new Map<string, { attempts: number; failures: number }>();
  for (const s of recorder.samples) {
    for (const [name, i] of Object.entries(s.instances)) {
      const acc = perInstance.get(name) ?? { attempts: 0, failures: 0 };
      acc.attempts += i.attempts;
      acc.failures += i.failures;
      perInstance.set(name, acc);
    }
  }
  const serviceAttempts = new Map<string, number>();
  for (const info of recorder.instances) {
    serviceAttempts.set(info.service, (serviceAttempts.get(info.service) ?? 0) + (perInstance.get(info.name)?.attempts ?? 0));
  }
  const last = recorder.samples.at(-1);
  return {
    durationS: input.durationS,
    rate: input.rate,
    callers: figures(requests, ok, all, allFailures),
    clients,
    shed: recorder.shed,
    retries: input.retries,
    retryRefusals: input.retryRefusals,
    ejections: [...ejections.values()].reduce((a, b) => a + b, 0),
    recoveries: recorder.recoveries().length,
    panics: recorder.panics.filter((p) => p.panic).length,
    instances: recorder.instances.map((info) => {
      const figs = perInstance.get(info.name) ?? { attempts: 0, failures: 0 };
      const total = serviceAttempts.get(info.service) ?? 0;
      return {
        service: info.service,
        name: info.name,
        url: info.url,
        attempts: figs.attempts,
        failures: figs.failures,
        sharePercent: total === 0 ? 0 : Math.round((figs.attempts / total) * 1000) / 10,
        ejections: ejections.get(info.name) ?? 0,
        finalState: last?.instances[info.name]?.state ?? 'unknown',
      };
    }),
    faults: input.faults.map((f) => {
      const shares = faultShares(f, recorder.instances, recorder.samples);
      return {
        instance: f.instance,
        kind: f.kind,
        label: f.label,
        fromS: Math.round(f.startMs / 100) / 10,
        toS: Math.round(f.endMs / 100) / 10,
        sharePercentDuring: shares.during === undefined ? undefined : Math.round(shares.during * 1000) / 10,
        fairSharePercent: Math.round(shares.fair * 1000) / 10,
        backAtHalfShareAfterS: shares.backAfterS,
      };
    }),
    metrics: input.metrics,
    eventLoopLagMs: input.eventLoopLagMs,
    files: input.files,
  };
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

/** The summary as text for the terminal. */
export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  lines.push('', `Summary of ${s.durationS} s at ${s.rate} req/s`, '');
  lines.push('  callers      requests   success    p50        p99        failures');
  const row = (name: string, f: CallerFigures): string =>
    `  ${name.padEnd(12)} ${String(f.requests).padStart(8)}   ${`${f.successRate.toFixed(2)}%`.padStart(7)}   ${ms(f.p50Ms).padEnd(9)}  ${ms(f.p99Ms).padEnd(9)}  ${
      Object.entries(f.failures)
        .map(([k, v]) => `${k} x${v}`)
        .join(', ') || '-'
    }`;
  for (const [name, f] of Object.entries(s.clients)) lines.push(row(name, f));
  lines.push(row('all', s.callers));
  lines.push('');
  const refusals = Object.entries(s.retryRefusals)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} x${v}`)
    .join(', ');
  lines.push(`  balancer     ${s.retries} retries${refusals ? ` (not retried: ${refusals})` : ''}, ${s.ejections} ejections, ${s.recoveries} recoveries, ${s.panics} panics`);
  if (s.shed > 0) lines.push(`  shed         ${s.shed} arrivals not sent (concurrency bound reached)`);
  const lag = s.eventLoopLagMs;
  lines.push(`  event loop   lag p99 ${lag.p99.toFixed(0)} ms, max ${lag.max.toFixed(0)} ms`);
  if (lag.p99 > 100) {
    lines.push('               the machine was short of CPU: timers fired late, so per-attempt timeouts expired on');
    lines.push('               healthy instances too. Run again on a quieter machine, or with a lower --rate.');
  }
  lines.push('');
  lines.push('  instance     share    attempts  failed  ejections  final state   fault');
  for (const i of s.instances) {
    const faults = s.faults
      .filter((f) => f.instance === i.name)
      .map((f) => `${f.label} (${f.fromS}-${f.toS} s)`)
      .join('; ');
    lines.push(
      `  ${i.name.padEnd(12)} ${`${i.sharePercent.toFixed(1)}%`.padStart(6)}   ${String(i.attempts).padStart(8)}  ${String(i.failures).padStart(6)}  ${String(i.ejections).padStart(9)}  ${i.finalState.padEnd(12)}  ${faults || '-'}`,
    );
  }
  lines.push('');
  lines.push('  fault        when         share meanwhile   back at half its fair share');
  for (const f of s.faults) {
    const during = f.sharePercentDuring === undefined ? '-' : `${f.sharePercentDuring.toFixed(1)}% of ${f.fairSharePercent.toFixed(0)}%`;
    const back = f.backAtHalfShareAfterS === undefined ? 'not by the end' : `${f.backAtHalfShareAfterS.toFixed(1)} s after`;
    lines.push(`  ${f.instance.padEnd(12)} ${`${f.fromS}-${f.toS} s`.padEnd(12)} ${during.padEnd(17)} ${back.padEnd(16)} ${f.label}`);
  }
  lines.push('');
  return lines.join('\n');
}
