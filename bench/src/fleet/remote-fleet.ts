/**
 * A testkit fleet in a child process (see `protocol.ts` for why), with the operations the
 * benchmarks script: change a server's behaviour, crash it, restart it, read its counters.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { BehaviorOptions, CapacityOptions, LoadReportValues, QueueStats } from '@datapunk/testkit';
import { compiled } from '../paths.js';
import type { FleetCommand, FleetReply, RemoteServerStats } from './protocol.js';

export interface RemoteFleet {
  /** Origins in index order, e.g. `http://127.0.0.1:41234`. */
  readonly urls: readonly string[];
  setBehavior(index: number, behavior: BehaviorOptions): Promise<void>;
  /** Server `index` reports this load on every response from now on (null: none; 'auto': what it measures). */
  setLoadReport(index: number, report: LoadReportValues | 'auto' | null): Promise<void>;
  crash(index: number): Promise<void>;
  restart(index: number): Promise<void>;
  stats(): Promise<readonly RemoteServerStats[]>;
  /** Each server's queue figures (null without capacity) since the last reset; `reset` starts them afresh. */
  queues(reset?: boolean): Promise<readonly (QueueStats | null)[]>;
  /** Closes every server and ends the process. Idempotent. */
  close(): Promise<void>;
}

const CHILD = compiled('fleet/fleet-child.js');

/**
 * Starts one server per behaviour in a fresh process; `seed` makes error rates and latencies
 * reproducible; `capacity` gives every server workers and a queue (default: unlimited).
 */
export async function startRemoteFleet(behaviors: readonly BehaviorOptions[], seed = 7, capacity?: CapacityOptions): Promise<RemoteFleet> {
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (r: FleetReply & { ok: true }) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`fleet process exited (${code ?? signal})`));
    pending.clear();
  });
  child.on('message', (reply: FleetReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply);
    else p.reject(new Error(`fleet: ${reply.error}`));
  });
  const send = (command: FleetCommand): Promise<FleetReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('fleet process is gone'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...command, id });
    });

  let urls: readonly string[];
  try {
    urls = (await send({ op: 'start', behaviors, seed, ...(capacity ? { capacity } : {}) })).urls ?? [];
  } catch (error) {
    child.kill();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    urls,
    setBehavior: async (index, behavior) => void (await send({ op: 'set', index, behavior })),
    setLoadReport: async (index, report) => void (await send({ op: 'load', index, report })),
    crash: async (index) => void (await send({ op: 'crash', index })),
    restart: async (index) => void (await send({ op: 'restart', index })),
    stats: async () => (await send({ op: 'stats' })).stats ?? [],
    queues: async (reset = false) => (await send({ op: 'queues', reset })).queues ?? [],
    close: () => (closing ??= closeChild(child, send, exit)),
  };
}

async function closeChild(child: ChildProcess, send: (c: FleetCommand) => Promise<unknown>, exit: Promise<void>): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await send({ op: 'close' }).catch(() => undefined);
    await exit;
  } finally {
    clearTimeout(timer);
  }
}
