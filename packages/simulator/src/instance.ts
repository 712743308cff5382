/**
 * A simulated instance: a fixed number of workers and a bounded queue in front of them, a
 * service-time distribution, and the faults the scenario script turns on and off.
 *
 * Requests the caller abandoned are still served (a server does not know the caller gave up), so
 * timeouts and retries cost capacity as they do in a real fleet. A crash resets every request in
 * service or queued; while down, connections are refused.
 */
import { sampleLatency } from '@datapunk/testkit';
import type { Scheduler } from './scheduler.js';
import type { ServiceTime } from './scenario.js';
import type { SendResult } from './driver.js';

/** Errors shared by every simulated failure (never mutated; no stack captured per request). */
export const REFUSED: Error = Object.assign(new Error('connect ECONNREFUSED (simulated)'), { code: 'ECONNREFUSED' });
export const RESET: Error = Object.assign(new Error('socket hang up (simulated)'), { code: 'ECONNRESET' });
export const OVERLOADED_STATUS = 503;

interface Job {
  readonly reply: (result: SendResult) => void;
  /** False once a crash reset it. */
  live: boolean;
}

/** The fault state in force; each field is set and cleared by the fault script. */
export interface FaultState {
  slowFactor: number;
  errorRate: number;
  errorStatus: number;
  errorLatencyMs: number;
  /** Health probes fail (the health path checks what fails). */
  healthFails: boolean;
  hang: boolean;
}

export const NO_FAULT: Readonly<FaultState> = Object.freeze({
  slowFactor: 1,
  errorRate: 0,
  errorStatus: 503,
  errorLatencyMs: 1,
  healthFails: false,
  hang: false,
});

export interface InstanceOptions {
  readonly index: number;
  readonly name: string;
  readonly url: string;
  readonly zone: string | undefined;
  readonly weight: number;
  readonly workers: number;
  readonly queue: number;
  readonly serviceMs: ServiceTime;
}

export class SimInstance {
  readonly fault: FaultState = { ...NO_FAULT };
  up = true;
  /** Cold after a (re)start until this time: service time x `coldFactor`, easing to x1. */
  private warmFrom = 0;
  private warmUntil = 0;
  private coldFactor = 1;
  private busy = 0;
  private readonly waiting: Job[] = [];
  private waitingHead = 0;
  private readonly inService = new Set<Job>();
  /** Requests received (health probes excluded), and those answered with an error status. */
  received = 0;
  errors = 0;
  /** Requests answered 503 because the queue was full. */
  shed = 0;

  constructor(
    readonly options: InstanceOptions,
    private readonly scheduler: Scheduler,
    private readonly random: () => number,
  ) {}

  get url(): string {
    return this.options.url;
  }

  /** Requests waiting and in service right now. */
  get load(): number {
    return this.busy + this.waiting.length - this.waitingHead;
  }

  /** A request arrives (network delay already spent). `reply` is called when it is answered. */
  receive(reply: (result: SendResult) => void): void {
    if (!this.up) return reply({ error: REFUSED });
    this.received++;
    if (this.fault.hang) return; // accepted, never answered
    const job: Job = { reply, live: true };
    if (this.busy < this.options.workers) this.serve(job);
    else if (this.waiting.length - this.waitingHead < this.options.queue) this.waiting.push(job);
    else {
      this.shed++;
      this.errors++;
      reply({ status: OVERLOADED_STATUS });
    }
  }

  /** A health probe arrives: passes, fails, or (hung) is never answered. */
  probe(reply: (passed: boolean) => void): void {
    if (!this.up) return reply(false);
    if (this.fault.hang) return;
    reply(!this.fault.healthFails);
  }

  /** Crash: every request in service or queued is reset; connections are refused until `start()`. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    for (const job of this.inService) {
      job.live = false;
      job.reply({ error: RESET });
    }
    this.inService.clear();
    for (let i = this.waitingHead; i < this.waiting.length; i++) this.waiting[i]!.reply({ error: RESET });
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.busy = 0;
  }

  /** (Re)start, cold for `warmupMs` at `coldFactor` x the service time. */
  start(warmupMs = 0, coldFactor = 1): void {
    this.up = true;
    const now = this.scheduler.now;
    this.warmFrom = now;
    this.warmUntil = now + warmupMs;
    this.coldFactor = coldFactor;
  }

  private serviceTime(): number {
    let ms = sampleServiceTime(this.options.serviceMs, this.random) * this.fault.slowFactor;
    const now = this.scheduler.now;
    if (now < this.warmUntil && this.coldFactor > 1) {
      const left = (this.warmUntil - now) / (this.warmUntil - this.warmFrom);
      ms *= 1 + (this.coldFactor - 1) * left;
    }
    return ms;
  }

  private serve(job: Job): void {
    this.busy++;
    this.inService.add(job);
    const failing = this.fault.errorRate > 0 && this.random() < this.fault.errorRate;
    const ms = failing ? this.fault.errorLatencyMs : this.serviceTime();
    const status = failing ? this.fault.errorStatus : 200;
    this.scheduler.after(ms, () => {
      if (!job.live) return;
      this.inService.delete(job);
      this.busy--;
      if (status >= 500) this.errors++;
      job.reply({ status });
      this.next();
    });
  }

  private next(): void {
    while (this.busy < this.options.workers && this.waitingHead < this.waiting.length) {
      const job = this.waiting[this.waitingHead++]!;
      if (this.waitingHead > 1_024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      this.serve(job);
    }
  }
}

/** One draw of a service time, ms. */
export function sampleServiceTime(spec: ServiceTime, random: () => number): number {
  if (typeof spec === 'object' && spec.kind === 'exponential') return -spec.meanMs * Math.log(1 - random());
  return sampleLatency(spec, random);
}
