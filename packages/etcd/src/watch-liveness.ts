/**
 * The liveness of an open watch: etcd must confirm it within the request timeout, and its
 * endpoint must keep answering afterwards (a cheap count-only read every `watchCheckIntervalMs`),
 * which catches a member that vanished without closing the connection. Either failure aborts the
 * watch through its controller, and `etcdDiscovery` reads again after a backoff.
 */
import type { Runtime, Timer } from '@datapunk/balancer/adapter';
import { toBase64 } from './codec.js';
import { EtcdError, EtcdErrorCodes } from './errors.js';
import type { Gateway } from './gateway.js';

export interface WatchLivenessOptions {
  readonly runtime: Runtime;
  readonly gateway: Gateway;
  /** The watched range: its key (the directory) and range end. */
  readonly directory: string;
  readonly rangeEnd: string;
  readonly requestTimeoutMs: number;
  /** 0 disables the checks after creation. */
  readonly watchCheckIntervalMs: number;
}

/** Starts guarding a watch; call `created()` when etcd confirms it. Ends when `controller` aborts. */
export function guardWatch(options: WatchLivenessOptions, controller: AbortController): { created(): void } {
  const { runtime, gateway, directory, rangeEnd, requestTimeoutMs, watchCheckIntervalMs } = options;
  const { signal } = controller;
  const endpoint = gateway.endpoint;
  const stop = (error: unknown): void => {
    if (!signal.aborted) controller.abort(error);
  };
  const notCreated = (): void =>
    stop(new EtcdError(EtcdErrorCodes.UNAVAILABLE, `etcd ${endpoint.origin}: watch not created within ${requestTimeoutMs} ms`, { endpoint: endpoint.origin }));
  let check: Timer | undefined = runtime.setTimeout(notCreated, requestTimeoutMs);
  const scheduleCheck = (): void => {
    if (watchCheckIntervalMs === 0 || signal.aborted) return;
    check = runtime.setTimeout(() => {
      gateway.call('/v3/kv/range', { key: toBase64(directory), range_end: rangeEnd, count_only: true }, { signal, endpoint }).then(scheduleCheck, stop);
    }, watchCheckIntervalMs);
  };
  signal.addEventListener('abort', () => check?.cancel(), { once: true });
  return {
    created(): void {
      check?.cancel();
      check = undefined;
      scheduleCheck();
    },
  };
}
