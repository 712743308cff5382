/**
 * The demo fleet, seen from the main thread: started in a worker thread (fleet-worker.ts) and
 * driven by messages: apply a fault of the script, close.
 */
import { Worker } from 'node:worker_threads';
import { FAULT_SCRIPT, type FaultStep } from './fleet-script.js';

export interface FleetReady {
  readonly type: 'ready';
  readonly services: readonly { readonly name: string; readonly instances: readonly { readonly id: string; readonly url: string }[] }[];
}
export type ToFleet = { readonly type: 'fault'; readonly id: number; readonly step: number; readonly phase: 'start' | 'end' } | { readonly type: 'close' };
type FromFleet = FleetReady | { readonly type: 'applied'; readonly id: number; readonly error?: string } | { readonly type: 'closed' };

export interface DemoFleet {
  /** Service name -> its instances (testkit id and origin), in index order. */
  readonly services: ReadonlyMap<string, readonly { readonly id: string; readonly url: string }[]>;
  /** Starts or ends a fault of `FAULT_SCRIPT`; resolves once the fleet has applied it. */
  apply(step: FaultStep, phase: 'start' | 'end'): Promise<void>;
  /** Closes every server and ends the thread. */
  close(): Promise<void>;
}

export async function startDemoFleet(seed: number): Promise<DemoFleet> {
  const worker = new Worker(new URL('./fleet-worker.js', import.meta.url), { workerData: { seed } });
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let closed: (() => void) | undefined;
  let nextId = 0;
  const ready = await new Promise<FleetReady>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the fleet thread exited (${code}) before it was ready`)));
    worker.on('message', (message: FromFleet) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'applied') {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error === undefined) w?.resolve();
        else w?.reject(new Error(message.error));
      } else if (message.type === 'closed') closed?.();
    });
  });
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  worker.on('error', (error) => {
    process.stderr.write(`fleet thread failed: ${error.stack ?? error.message}\n`);
  });

  return {
    services: new Map(ready.services.map((s) => [s.name, s.instances])),
    apply(step, phase) {
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'fault', id, step: FAULT_SCRIPT.indexOf(step), phase } satisfies ToFleet);
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ type: 'close' } satisfies ToFleet);
      });
      await worker.terminate();
    },
  };
}
