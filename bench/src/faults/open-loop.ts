/**
 * Open-loop load: requests are sent at a fixed arrival rate whatever happens to earlier ones,
 * and each latency is measured from the request's *scheduled* send time. A slow answer, or a
 * client stalled by its own event loop, therefore shows in the figures instead of quietly
 * lowering the rate (coordinated omission, as wrk2 and HdrHistogram describe it).
 */

export interface OpenLoopOptions {
  /** Requests per second. */
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** The caller's own deadline per request, ms: past it the request is aborted and failed. */
  readonly deadlineMs: number;
  /** Sends request `i`; resolves true for a success (2xx), false otherwise. Should not throw. */
  readonly send: (i: number, signal: AbortSignal) => Promise<boolean>;
  /** Actions run at given offsets from the start (the fault script). */
  readonly script?: readonly { readonly atMs: number; readonly run: () => unknown }[];
  /** Called with the offset from the start, for traffic logs; default none. */
  readonly onStart?: (startedAt: number) => void;
}

export interface OpenLoopResult {
  /** `performance.now()` at the start; every offset below is relative to it. */
  readonly startedAt: number;
  /** Scheduled send time of each request, ms from the start. */
  readonly scheduledMs: Float64Array;
  /** Completion time minus scheduled send time, ms. */
  readonly latencyMs: Float64Array;
  /** 1 for a success. */
  readonly ok: Uint8Array;
  /** Largest lag between a request's scheduled time and its actual send, ms (client stall). */
  readonly maxSendLagMs: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSec, durationMs, deadlineMs, send } = options;
  const total = Math.floor((ratePerSec * durationMs) / 1000);
  const interval = 1000 / ratePerSec;
  const scheduledMs = new Float64Array(total);
  const latencyMs = new Float64Array(total);
  const ok = new Uint8Array(total);
  const inFlight: Promise<void>[] = [];
  const scriptDone: Promise<unknown>[] = [];
  let maxSendLagMs = 0;
  const startedAt = performance.now();
  options.onStart?.(startedAt);

  for (const step of options.script ?? []) {
    scriptDone.push(
      new Promise((resolve, reject) => {
        setTimeout(() => Promise.resolve().then(step.run).then(resolve, reject), Math.max(0, step.atMs));
      }),
    );
  }

  const launch = (i: number): void => {
    const scheduled = i * interval;
    scheduledMs[i] = scheduled;
    const lag = performance.now() - startedAt - scheduled;
    if (lag > maxSendLagMs) maxSendLagMs = lag;
    const signal = AbortSignal.timeout(deadlineMs);
    inFlight.push(
      send(i, signal).then(
        (success) => {
          latencyMs[i] = performance.now() - startedAt - scheduled;
          ok[i] = success ? 1 : 0;
        },
        () => {
          latencyMs[i] = performance.now() - startedAt - scheduled;
        },
      ),
    );
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const elapsed = performance.now() - startedAt;
      while (next < total && next * interval <= elapsed) launch(next++);
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, next * interval - (performance.now() - startedAt)));
    };
    tick();
  });
  await Promise.all(inFlight);
  await Promise.all(scriptDone);
  return { startedAt, scheduledMs, latencyMs, ok, maxSendLagMs };
}
