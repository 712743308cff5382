/**
 * Open-loop traffic: requests start at a fixed rate whatever happens to earlier ones (as real
 * callers do; a closed loop would slow down exactly when the fleet does and hide the damage).
 * Arrivals are spread round robin over every client and service. Concurrency is bounded: an
 * arrival that finds the bound reached is not sent and is counted as shed.
 */
import { failureCode, type ClientName, type DemoClient } from './clients.js';

export interface RequestResult {
  readonly client: ClientName;
  readonly service: string;
  /** Start, ms since the run started. */
  readonly atMs: number;
  readonly latencyMs: number;
  /** A 2xx reached the caller. */
  readonly ok: boolean;
  readonly status: number | undefined;
  /** Why it failed, when it did: a status (`503`), an error code, or `deadline`. */
  readonly failure: string | undefined;
  /** The instance (testkit id) that answered, when one did. */
  readonly server: string | undefined;
}

export interface TrafficOptions {
  readonly clients: readonly DemoClient[];
  readonly services: readonly string[];
  /** Requests per second over everything. */
  readonly rate: number;
  readonly durationMs: number;
  readonly deadlineMs: number;
  readonly maxInFlight: number;
  /** ms since the run started. */
  readonly now: () => number;
  readonly onResult: (result: RequestResult) => void;
  readonly onShed: () => void;
}

export interface TrafficRun {
  readonly inFlight: () => number;
  /** Resolves when the run is over and every request has settled. */
  readonly done: Promise<void>;
}

const TICK_MS = 5;

export function startTraffic(options: TrafficOptions): TrafficRun {
  const { clients, services, rate, durationMs, now } = options;
  const routes = clients.flatMap((client) => services.map((service) => ({ client, service })));
  let sent = 0;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const send = (n: number): void => {
    const route = routes[n % routes.length]!;
    if (inFlight >= options.maxInFlight) {
      options.onShed();
      return;
    }
    inFlight++;
    const atMs = now();
    const signal = AbortSignal.timeout(options.deadlineMs);
    const url = `http://${route.service}/api/v1/${route.service}/${1000 + (n % 9000)}`;
    const settle = (fields: Pick<RequestResult, 'ok' | 'status' | 'failure' | 'server'>): void => {
      options.onResult({ client: route.client.name, service: route.service, atMs, latencyMs: now() - atMs, ...fields });
      if (--inFlight === 0) idle?.();
    };
    route.client.get(url, signal).then(
      (res) => {
        const ok = res.status >= 200 && res.status < 300;
        settle({ ok, status: res.status, failure: ok ? undefined : String(res.status), server: res.server });
      },
      (error: unknown) => settle({ ok: false, status: undefined, failure: signal.aborted ? 'deadline' : failureCode(error), server: undefined }),
    );
  };

  const done = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const t = now();
      const due = Math.floor((Math.min(t, durationMs) / 1000) * rate);
      while (sent < due) send(sent++);
      if (t >= durationMs) {
        clearInterval(timer);
        if (inFlight === 0) resolve();
        else idle = resolve;
      }
    }, TICK_MS);
  });

  return { inFlight: () => inFlight, done };
}
