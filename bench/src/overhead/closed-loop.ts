/**
 * Closed-loop load for throughput: `concurrency` workers each send, wait for the answer, send
 * again, until the time is up. Also measures the client process's CPU time per request, which
 * is the balancer's real cost and, unlike req/s, does not depend on whether the client or the
 * servers are the bottleneck.
 */
import { Samples, summarize, type LatencySummary } from '../stats.js';

export interface ClosedLoopResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly latency: LatencySummary;
  /** Client process CPU time (user + system) per request, µs. */
  readonly cpuUsPerRequest: number;
  /** Its user-space part (JavaScript, V8, Node), µs. */
  readonly userUsPerRequest: number;
  /** Its kernel part (socket writes and reads, epoll, wakeups), µs. */
  readonly sysUsPerRequest: number;
}

export async function closedLoop(send: () => Promise<void>, concurrency: number, durationMs: number): Promise<ClosedLoopResult> {
  const samples = new Samples();
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        await send();
        samples.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const requests = samples.length + errors;
  return {
    requests,
    errors,
    rps: (samples.length * 1000) / elapsedMs,
    latency: summarize(samples.values()),
    cpuUsPerRequest: requests ? (cpu.user + cpu.system) / requests : NaN,
    userUsPerRequest: requests ? cpu.user / requests : NaN,
    sysUsPerRequest: requests ? cpu.system / requests : NaN,
  };
}
