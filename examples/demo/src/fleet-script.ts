/**
 * The fleet and its script of faults. Three services run on loopback (testkit servers): `orders`
 * with 4 instances behind peak-EWMA (the default strategy), `billing` with 3 behind
 * least-request, `inventory` with 3 behind weighted-least-load, whose instances report their own
 * load (ORCA `endpoint-load-metrics`, on every response and on /health): 30% CPU each at the same
 * rate. Over the run, at fixed fractions of its duration:
 *
 *   orders-1     slow: 10x latency              10% -> 50%   peak-EWMA moves traffic away
 *   orders-3     hangs (accepts, never answers) 55% -> 80%   in-flight count and per-attempt
 *                                                             timeouts steer away, checks fail
 *   billing-1    crashes, restarts              15% -> 35%   refused: ejected, unhealthy, back
 *   billing-2    503 on every API request       45% -> 75%   ejected, re-probed, ejected longer
 *                (its /health still says 200)
 *   inventory-2  reports 90% CPU (a batch job;  30% -> 70%   its weight drops to a third: about
 *                its latency does not change)                 14% of inventory, then a third again
 *
 * The last fifth is calm, so every instance is seen coming back.
 */
import type { BehaviorOptions, LatencySpec, LoadReportValues, TestServer, TestServerOptions } from '@datapunk/testkit';

export type FaultKind = 'slow' | 'errors' | 'crash' | 'hang' | 'busy';

export interface FaultStep {
  readonly service: string;
  /** Testkit server id, e.g. `orders-1`. */
  readonly instance: string;
  readonly kind: FaultKind;
  /** Start and end as fractions of the run. */
  readonly from: number;
  readonly to: number;
  /** What a reader sees in the report and the log. */
  readonly label: string;
}

export const FAULT_SCRIPT: readonly FaultStep[] = [
  { service: 'orders', instance: 'orders-1', kind: 'slow', from: 0.1, to: 0.5, label: 'slow (10x latency)' },
  { service: 'billing', instance: 'billing-1', kind: 'crash', from: 0.15, to: 0.35, label: 'crashed, then restarted' },
  { service: 'billing', instance: 'billing-2', kind: 'errors', from: 0.45, to: 0.75, label: '503 on every request, /health still 200' },
  { service: 'orders', instance: 'orders-3', kind: 'hang', from: 0.55, to: 0.8, label: 'hangs: accepts, never answers' },
  { service: 'inventory', instance: 'inventory-2', kind: 'busy', from: 0.3, to: 0.7, label: 'reports 90% CPU (a batch job), latency unchanged' },
];

/** A fault as it actually happened, in ms since the run started. */
export interface FaultPeriod extends FaultStep {
  readonly startMs: number;
  readonly endMs: number;
}

const BASE_LATENCY: Readonly<Record<string, number>> = { orders: 6, billing: 9, inventory: 7 };
const SIGMA = 0.35;

function latency(service: string, factor = 1): LatencySpec {
  return { kind: 'lognormal', medianMs: (BASE_LATENCY[service] ?? 8) * factor, sigma: SIGMA };
}

/** The services of the demo and their sizes. */
export const SERVICES: readonly { readonly name: string; readonly count: number }[] = [
  { name: 'orders', count: 4 },
  { name: 'billing', count: 3 },
  { name: 'inventory', count: 3 },
];

/**
 * What the instances of a load-reporting service say about themselves: `cpu_utilization` and the
 * same `rps_fractional` for all, so gRFC A58's weights (rps / utilization) go as 1 / utilization.
 */
export const REPORTED_CPU = 0.3;
export const BUSY_CPU = 0.9;
const REPORTED_RPS = 100;
const report = (cpuUtilization: number): LoadReportValues => ({ cpuUtilization, rpsFractional: REPORTED_RPS });

/** The load-report options of a service's servers: `inventory` reports on every response and on /health. */
export function loadReporting(service: string): Pick<TestServerOptions, 'loadReport' | 'loadReportOn'> {
  return service === 'inventory' ? { loadReport: report(REPORTED_CPU), loadReportOn: 'all' } : {};
}

/** Healthy behaviour of a service's instances: a lognormal latency around a few ms. */
export function baseBehavior(service: string): BehaviorOptions {
  return { latencyMs: latency(service) };
}

function faultOn(step: FaultStep): BehaviorOptions | undefined {
  switch (step.kind) {
    case 'slow':
      return { latencyMs: latency(step.service, 10) };
    case 'errors':
      return { errorRate: 1, errorStatus: 503 };
    case 'hang':
      return { hang: true, health: { hang: true } };
    case 'crash':
    case 'busy':
      return undefined;
  }
}

function faultOff(step: FaultStep): BehaviorOptions | undefined {
  switch (step.kind) {
    case 'slow':
      return { latencyMs: latency(step.service) };
    case 'errors':
      return { errorRate: 0 };
    case 'hang':
      return { hang: false, health: { hang: false } };
    case 'crash':
    case 'busy':
      return undefined;
  }
}

/** Starts or ends `step`'s fault on its server. */
export async function applyFault(server: TestServer, step: FaultStep, phase: 'start' | 'end'): Promise<void> {
  if (step.kind === 'crash') await (phase === 'start' ? server.crash() : server.restart());
  else if (step.kind === 'busy') server.setLoadReport(report(phase === 'start' ? BUSY_CPU : REPORTED_CPU));
  else server.setBehavior((phase === 'start' ? faultOn(step) : faultOff(step)) ?? {});
}

export interface ScriptRun {
  /** Faults started so far, with their real start (and end, once over). */
  periods(): FaultPeriod[];
  /** Cancels what is still scheduled and ends every running fault (restarts crashed servers). */
  stop(): Promise<void>;
}

/**
 * Plays `script` over `durationMs`: `apply` starts and ends each fault on the fleet, `onChange`
 * hears about it. Time is read from `now` (ms since the run started).
 */
export function playScript(
  script: readonly FaultStep[],
  durationMs: number,
  now: () => number,
  apply: (step: FaultStep, phase: 'start' | 'end') => Promise<void>,
  onChange: (step: FaultStep, phase: 'start' | 'end') => void,
): ScriptRun {
  const timers: NodeJS.Timeout[] = [];
  const started = new Map<FaultStep, number>();
  const ended = new Map<FaultStep, number>();
  const pending = new Set<Promise<unknown>>();

  const run = (step: FaultStep, phase: 'start' | 'end'): void => {
    if (phase === 'start') started.set(step, now());
    else ended.set(step, now());
    const applied = apply(step, phase)
      .catch(() => {})
      .finally(() => pending.delete(applied));
    pending.add(applied);
    onChange(step, phase);
  };

  for (const step of script) {
    timers.push(setTimeout(() => run(step, 'start'), step.from * durationMs));
    timers.push(setTimeout(() => run(step, 'end'), step.to * durationMs));
  }

  return {
    periods() {
      return [...started].map(([step, startMs]) => ({ ...step, startMs, endMs: ended.get(step) ?? now() }));
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const step of started.keys()) if (!ended.has(step)) run(step, 'end');
      await Promise.all(pending);
    },
  };
}
