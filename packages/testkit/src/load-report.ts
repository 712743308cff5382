/**
 * Load reports from test servers: the ORCA `endpoint-load-metrics` response header (as Envoy
 * and gRPC read it) on every response but health checks, so balancers that weight instances by
 * their reported load (`weighted-least-load`) can be tested and benchmarked. A server reports
 * fixed values, values it measures itself (`'auto'`: its workers' busy share and the rate it
 * answers), or whatever a function returns per response (a raw header value too, for tests of
 * garbage).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Workers } from './capacity.js';

/** The response header. */
export const LOAD_REPORT_HEADER = 'endpoint-load-metrics';

/** Values of one report (ORCA's `OrcaLoadReport` fields in camelCase); absent ones are not sent. */
export interface LoadReportValues {
  /** CPU utilization, a fraction (>= 0). */
  readonly cpuUtilization?: number;
  /** Memory utilization, a fraction (>= 0). */
  readonly memUtilization?: number;
  /** The application's own utilization, a fraction (>= 0); when above 0, A58 uses it instead of CPU. */
  readonly applicationUtilization?: number;
  /** Requests per second served (>= 0). */
  readonly rpsFractional?: number;
  /** Errors per second served (>= 0). */
  readonly eps?: number;
  /** Named metrics, any finite numbers. */
  readonly namedMetrics?: Readonly<Record<string, number>>;
  /** `'text'` (default): `TEXT cpu_utilization=0.3, rps_fractional=120`; `'json'`: `JSON {"cpu_utilization":0.3,...}`. */
  readonly format?: 'text' | 'json';
}

/** What a server measured over the last second (`'auto'` reports it; a function receives it). */
export interface MeasuredLoad {
  /** Busy share of the workers over the last second (0..1); 0 without `capacity`. */
  readonly cpuUtilization: number;
  /** Responses sent per second over the last second. */
  readonly rpsFractional: number;
  /** Of those, 5xx responses per second. */
  readonly eps: number;
  /** Requests in flight now. */
  readonly inFlight: number;
}

/**
 * A server's `loadReport` option: fixed values; `'auto'`, the measured load (needs `capacity`,
 * whose busy workers are the utilization); or a function called for each response, returning
 * values, a raw header value (sent as is), or undefined (no header).
 */
export type LoadReportOption = LoadReportValues | 'auto' | ((measured: MeasuredLoad) => LoadReportValues | string | undefined);

const SCALARS = [
  ['cpuUtilization', 'cpu_utilization'],
  ['memUtilization', 'mem_utilization'],
  ['applicationUtilization', 'application_utilization'],
  ['rpsFractional', 'rps_fractional'],
  ['eps', 'eps'],
] as const;

/** Throws a RangeError listing every invalid field of `option`. */
export function checkLoadReport(option: LoadReportOption | undefined, hasCapacity: boolean): void {
  if (option === undefined || typeof option === 'function') return;
  if (option === 'auto') {
    if (!hasCapacity) throw new RangeError("invalid testkit loadReport: 'auto' needs capacity (its busy workers are the utilization)");
    return;
  }
  const problems: string[] = [];
  for (const [key] of SCALARS) {
    const v = option[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) problems.push(`loadReport.${key}: expected a finite number >= 0, got ${String(v)}`);
  }
  for (const [name, v] of Object.entries(option.namedMetrics ?? {})) {
    if (!(typeof v === 'number' && Number.isFinite(v))) problems.push(`loadReport.namedMetrics.${name}: expected a finite number, got ${String(v)}`);
  }
  if (option.format !== undefined && option.format !== 'text' && option.format !== 'json') problems.push(`loadReport.format: expected 'text' or 'json', got ${String(option.format)}`);
  if (problems.length > 0) throw new RangeError(`invalid testkit loadReport:\n  ${problems.join('\n  ')}`);
}

/** The header value for `values`. */
export function formatLoadReport(values: LoadReportValues): string {
  const fields: [string, number][] = [];
  for (const [key, wire] of SCALARS) {
    const v = values[key];
    if (v !== undefined) fields.push([wire, v]);
  }
  const named = Object.entries(values.namedMetrics ?? {});
  if (values.format === 'json') {
    const body: Record<string, unknown> = Object.fromEntries(fields);
    if (named.length > 0) body.named_metrics = Object.fromEntries(named);
    return `JSON ${JSON.stringify(body)}`;
  }
  return `TEXT ${[...fields, ...named.map(([k, v]): [string, number] => [`named_metrics.${k}`, v])].map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

/** Busy time, responses and errors since the start, at one moment. */
interface Sample {
  readonly at: number;
  readonly busyMs: number;
  readonly sent: number;
  readonly errors: number;
}

const WINDOW_MS = 1_000;
const SAMPLE_EVERY_MS = 100;

/** A server's load over the last second, from samples taken at most every 100 ms. */
export class LoadMeter {
  readonly #workers: Workers | undefined;
  readonly #now: () => number;
  readonly #samples: Sample[] = [];
  #sent = 0;
  #errors = 0;

  constructor(workers: Workers | undefined, now: () => number = () => performance.now()) {
    this.#workers = workers;
    this.#now = now;
    this.#samples.push(this.#sample(now()));
  }

  /** A response with `status` was sent. */
  sent(status: number): void {
    this.#sent++;
    if (status >= 500) this.#errors++;
  }

  measure(inFlight: number): MeasuredLoad {
    const now = this.#now();
    const current = this.#sample(now);
    const samples = this.#samples;
    if (now - samples[samples.length - 1]!.at >= SAMPLE_EVERY_MS) samples.push(current);
    // Keep one sample at or before the window's start, and none older.
    while (samples.length > 2 && samples[1]!.at <= now - WINDOW_MS) samples.shift();
    const base = samples[0]!;
    const span = now - base.at;
    if (span <= 0) return { cpuUtilization: 0, rpsFractional: 0, eps: 0, inFlight };
    const workers = this.#workers?.size ?? 0;
    return {
      cpuUtilization: workers > 0 ? Math.min(1, (current.busyMs - base.busyMs) / (workers * span)) : 0,
      rpsFractional: ((current.sent - base.sent) * 1000) / span,
      eps: ((current.errors - base.errors) * 1000) / span,
      inFlight,
    };
  }

  #sample(at: number): Sample {
    return { at, busyMs: this.#workers?.busyMs ?? 0, sent: this.#sent, errors: this.#errors };
  }
}

/** The header value `option` gives for one response, or undefined for none. */
export function loadReportHeader(option: LoadReportOption | undefined, meter: LoadMeter, inFlight: number): string | undefined {
  if (option === undefined) return undefined;
  if (option === 'auto') {
    const m = meter.measure(inFlight);
    return formatLoadReport({ cpuUtilization: round(m.cpuUtilization), rpsFractional: round(m.rpsFractional), eps: round(m.eps) });
  }
  if (typeof option !== 'function') return formatLoadReport(option);
  const out = option(meter.measure(inFlight));
  return typeof out === 'string' || out === undefined ? out : formatLoadReport(out);
}

/** A server's load reporting: its option (changeable), its meter, and the header it adds. */
export class ServerLoad {
  readonly #meter: LoadMeter;
  readonly #hasCapacity: boolean;
  #option: LoadReportOption | undefined;

  constructor(workers: Workers | undefined) {
    this.#meter = new LoadMeter(workers);
    this.#hasCapacity = workers !== undefined;
  }

  /** Reports `option` from now on (undefined: nothing). Throws RangeError on invalid values. */
  set(option: LoadReportOption | undefined): void {
    checkLoadReport(option, this.#hasCapacity);
    this.#option = option;
  }

  /** `headers` plus the report, when there is one. */
  head(headers: OutgoingHttpHeaders, inFlight: number): OutgoingHttpHeaders {
    const value = loadReportHeader(this.#option, this.#meter, inFlight);
    return value === undefined ? headers : { ...headers, [LOAD_REPORT_HEADER]: value };
  }

  /** A response with `status` went out (counted for `'auto'`). */
  sent(status: number): void {
    this.#meter.sent(status);
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
