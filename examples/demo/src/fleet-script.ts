/**
 * The fleet and its script of faults. Two services run on loopback (testkit servers): `orders`
 * with 4 instances behind peak-EWMA (the default strategy), `billing` with 3 behind
 * least-request. Over the run, at fixed fractions of its duration:
 *
 *   orders-1   slow: 10x latency              10% -> 50%   peak-EWMA moves traffic away
 *   orders-3   hangs (accepts, never answers) 55% -> 80%   in-flight count and per-attempt
 *                                                           timeouts steer away, checks fail
 *   billing-1  crashes, restarts              15% -> 35%   refused: ejected, unhealthy, back
 *   billing-2  503 on every API request       45% -> 75%   ejected, re-probed, ejected longer
 *              (its /health still says 200)
 *
 * The last fifth is calm, so every instance is seen coming back.
 */
import { seededRandom, startFleet, type BehaviorOptions, type Fleet, type LatencySpec, type TestServer } from '@datapunk/testkit';

export type FaultKind = 'slow' | 'errors' | 'crash' | 'hang';

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
];

/** A fault as it actually happened, in ms since the run started. */
export interface FaultPeriod extends FaultStep {
  readonly startMs: number;
  readonly endMs: number;
}

const BASE_LATENCY: Readonly<Record<string, number>> = { orders: 6, billing: 9 };
const SIGMA = 0.35;

function latency(service: string, factor = 1): LatencySpec {
  return { kind: 'lognormal', medianMs: (BASE_LATENCY[service] ?? 8) * factor, sigma: SIGMA };
}

export interface DemoFleet {
  /** Service name -> its fleet. */
  readonly fleets: ReadonlyMap<string, Fleet>;
  /** Instance origin -> testkit id (`http://127.0.0.1:40123` -> `orders-1`). */
  readonly names: ReadonlyMap<string, string>;
  server(id: string): TestServer;
  close(): Promise<void>;
}

/** Starts `orders` (4) and `billing` (3) on 127.0.0.1 with healthy, fast behaviour. */
export async function startDemoFleet(seed: number): Promise<DemoFleet> {
  const sizes: [string, number][] = [
    ['orders', 4],
    ['billing', 3],
  ];
  const fleets = new Map<string, Fleet>();
  try {
    for (const [service, count] of sizes) {
      const fleet = await startFleet({
        count,
        namePrefix: service,
        host: '127.0.0.1',
        random: seededRandom(seed + fleets.size),
        behavior: { latencyMs: latency(service) },
      });
      fleets.set(service, fleet);
    }
  } catch (error) {
    await Promise.all([...fleets.values()].map((f) => f.close({ graceMs: 0 })));
    throw error;
  }
  const names = new Map<string, string>();
  for (const fleet of fleets.values()) for (const s of fleet.servers) names.set(s.url, s.id);
  return {
    fleets,
    names,
    server(id) {
      const service = id.slice(0, id.lastIndexOf('-'));
      const fleet = fleets.get(service);
      if (!fleet) throw new RangeError(`no fleet for ${id}`);
      return fleet.get(id);
    },
    async close() {
      await Promise.all([...fleets.values()].map((f) => f.close({ graceMs: 200 })));
    },
  };
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
      return undefined;
  }
}

export interface ScriptRun {
  /** Faults started so far, with their real start (and end, once over). */
  periods(): FaultPeriod[];
  /** Cancels what is still scheduled and ends every running fault (restarts crashed servers). */
  stop(): Promise<void>;
}

/**
 * Plays `script` against the fleet over `durationMs`, calling `onChange` as each fault starts and
 * ends. Time is read from `now` (ms since the run started).
 */
export function playScript(
  fleet: DemoFleet,
  script: readonly FaultStep[],
  durationMs: number,
  now: () => number,
  onChange: (step: FaultStep, phase: 'start' | 'end') => void,
): ScriptRun {
  const timers: NodeJS.Timeout[] = [];
  const started = new Map<FaultStep, number>();
  const ended = new Map<FaultStep, number>();
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const tracked = p.catch(() => {}).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const apply = (step: FaultStep, phase: 'start' | 'end'): void => {
    if (phase === 'start') started.set(step, now());
    else ended.set(step, now());
    const server = fleet.server(step.instance);
    if (step.kind === 'crash') track(phase === 'start' ? server.crash() : server.restart());
    else server.setBehavior((phase === 'start' ? faultOn(step) : faultOff(step)) ?? {});
    onChange(step, phase);
  };

  for (const step of script) {
    timers.push(setTimeout(() => apply(step, 'start'), step.from * durationMs));
    timers.push(setTimeout(() => apply(step, 'end'), step.to * durationMs));
  }

  return {
    periods() {
      return [...started].map(([step, startMs]) => ({ ...step, startMs, endMs: ended.get(step) ?? now() }));
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const step of started.keys()) if (!ended.has(step)) apply(step, 'end');
      await Promise.all(pending);
    },
  };
}
