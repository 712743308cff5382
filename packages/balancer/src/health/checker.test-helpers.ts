/** Shared helpers for health checker tests on the fake runtime: a balancer and a scripted check. */
import { createBalancerWith, type Balancer } from '../balancer.js';
import type { HealthCheckOptions } from '../config/health-options.js';
import type { ServiceOptions } from '../config/options.js';
import type { Timer } from '../runtime.js';
import type { HealthCheckEvent, LoadReportEvent, StateChangeEvent } from '../service/observer.js';
import type { Service } from '../service/service.js';
import { createFakeRuntime, type FakeRuntime } from '../testing/fake-runtime.js';
import type { HealthCheckFunction, HealthCheckResult } from './check.js';
import { HealthCheckFailure } from './failure.js';
import { createHealthChecker } from './checker.js';

export const origin = (i: number): string => `http://127.0.0.1:${9001 + i}`;
export const origins = (n: number): string[] => Array.from({ length: n }, (_, i) => origin(i));

/** How the scripted check answers one call. */
export interface Answer {
  readonly pass: boolean;
  /** Settle after this many ms of runtime time; 0 settles at once. `Infinity` never settles by itself. */
  readonly afterMs?: number;
  /** Reject when the signal aborts (a well-behaved check). Default true. */
  readonly honourSignal?: boolean;
  readonly error?: string;
  /** A load report the answer carries: `{ loadReport }` when passing, `HealthCheckFailure`'s when failing. */
  readonly loadReport?: unknown;
}

export interface CheckCall {
  readonly id: string;
  readonly at: number;
  readonly signal: AbortSignal;
  ended: boolean;
  /** Settles the call by hand (for answers with `afterMs: Infinity`). */
  settle(pass: boolean): void;
}

export interface ScriptedCheck {
  readonly check: HealthCheckFunction;
  readonly calls: CheckCall[];
  /** Most calls running at once, over all instances. */
  readonly maxRunning: number;
  /** Most calls running at once for a single instance. */
  readonly maxRunningPerInstance: number;
  /** What the next calls answer, per instance id (default: pass at once). */
  answer(id: string, answer: Answer): void;
}

function failure(a: Answer): Error {
  if (a.loadReport === undefined) return new Error(a.error ?? 'boom');
  return new HealthCheckFailure(a.error ?? 'boom', { loadReport: a.loadReport as HealthCheckResult['loadReport'] });
}

export function scriptedCheck(runtime: FakeRuntime): ScriptedCheck {
  const answers = new Map<string, Answer>();
  const running = new Map<string, number>();
  let total = 0;
  const stats = { maxRunning: 0, maxRunningPerInstance: 0 };
  const calls: CheckCall[] = [];
  const check: HealthCheckFunction = (target, signal) =>
    new Promise<void | HealthCheckResult>((resolve, reject) => {
      const a = answers.get(target.id) ?? { pass: true };
      let timer: Timer | undefined;
      total++;
      running.set(target.id, (running.get(target.id) ?? 0) + 1);
      stats.maxRunning = Math.max(stats.maxRunning, total);
      stats.maxRunningPerInstance = Math.max(stats.maxRunningPerInstance, running.get(target.id)!);
      const end = (error?: unknown): void => {
        if (call.ended) return;
        call.ended = true;
        timer?.cancel();
        total--;
        running.set(target.id, running.get(target.id)! - 1);
        if (error !== undefined) reject(error as Error);
        else if (a.loadReport === undefined) resolve();
        else resolve({ loadReport: a.loadReport as HealthCheckResult['loadReport'] });
      };
      const call: CheckCall = {
        id: target.id,
        at: runtime.now(),
        signal,
        ended: false,
        settle: (pass) => end(pass ? undefined : failure(a)),
      };
      calls.push(call);
      if (a.honourSignal ?? true) signal.addEventListener('abort', () => end(signal.reason), { once: true });
      const afterMs = a.afterMs ?? 0;
      if (afterMs === 0) call.settle(a.pass);
      else if (Number.isFinite(afterMs)) timer = runtime.setTimeout(() => call.settle(a.pass), afterMs);
    });
  return {
    check,
    calls,
    get maxRunning() {
      return stats.maxRunning;
    },
    get maxRunningPerInstance() {
      return stats.maxRunningPerInstance;
    },
    answer: (id, answer) => answers.set(id, answer),
  };
}

export interface CheckHarness {
  readonly runtime: FakeRuntime;
  readonly balancer: Balancer;
  readonly script: ScriptedCheck;
  /** The `orders` service (for `setInstances`). */
  readonly service: Service;
  readonly events: HealthCheckEvent[];
  readonly changes: StateChangeEvent[];
  /** Load reports read, in order. */
  readonly loads: LoadReportEvent[];
  state(id: string): string | undefined;
  /** `passed/streak/detail` of each health-check event of `id`. */
  results(id: string): string[];
}

export interface HarnessOptions {
  readonly seed?: number;
  /** Fixed random draw (e.g. 0: first checks at once, no jitter). */
  readonly random?: number;
  readonly service?: Omit<ServiceOptions, 'healthCheck'>;
  /** A check to use instead of the scripted one. */
  readonly check?: HealthCheckFunction;
}

/** A balancer with one service `orders` whose health checks use a scripted check. */
export function checkHarness(healthCheck: Omit<HealthCheckOptions, 'check'>, options: HarnessOptions = {}): CheckHarness {
  const runtime = createFakeRuntime({ seed: options.seed ?? 1 });
  if (options.random !== undefined) runtime.setRandom(() => options.random!);
  const script = scriptedCheck(runtime);
  const events: HealthCheckEvent[] = [];
  const changes: StateChangeEvent[] = [];
  const loads: LoadReportEvent[] = [];
  let service: Service | undefined;
  const balancer = createBalancerWith(
    { services: { orders: { instances: origins(1), ...options.service, healthCheck: { ...healthCheck, check: options.check ?? script.check } } }, runtime },
    {
      observers: [() => ({ healthChecked: (e) => events.push(e) })],
      watcher: (s, o) => {
        service = s;
        return createHealthChecker(s, o, runtime);
      },
    },
  );
  balancer.observe({ stateChanged: (e) => changes.push(e), loadReported: (e) => loads.push(e) });
  return {
    runtime,
    balancer,
    script,
    service: service!,
    events,
    changes,
    loads,
    state: (id) => balancer.snapshot().services.orders?.instances.find((i) => i.id === id)?.state,
    results: (id) =>
      events.filter((e) => e.instance.id === id).map((e) => `${e.passed ? 'pass' : 'fail'}/${e.streak}${e.detail ? `/${e.detail}` : ''}`),
  };
}
