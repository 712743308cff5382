/**
 * What a test server is: its options and the interface tests drive (`server.ts` implements it).
 * A real HTTP/1.1 server on loopback whose faults, capacity and load reports can be changed at
 * any time.
 */
import type { Behavior, BehaviorOptions } from './behavior.js';
import type { CapacityOptions, QueueStats } from './capacity.js';
import type { LoadReportOption } from './load-report.js';
import type { RandomSource } from './random.js';
import type { RequestRecord, ServerStats } from './stats.js';

/** Options of {@link startServer}. */
export interface TestServerOptions {
  /** Name reported in echoes, the `x-testkit-server` header and fleet totals. Default `server-<port>`. */
  id?: string;
  /** Address to listen on, e.g. `'::1'`. Default `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on. Default 0: a free port chosen by the OS. */
  port?: number;
  /** Path answered by the health behaviour (compared to the request target before `?`). Default `'/health'`. */
  healthPath?: string;
  /** Initial behaviour, applied over the defaults (a healthy, fast server). */
  behavior?: BehaviorOptions;
  /** Source of randomness for rates and latency distributions. Default `Math.random`; see `seededRandom`. */
  random?: RandomSource;
  /** How many received requests `requests` keeps, newest last. Default 100. */
  requestLogLimit?: number;
  /** Request body bytes kept for the echo and the log; the rest is read and dropped. Default 65536. */
  maxEchoBodyBytes?: number;
  /**
   * Finite capacity: `workers` requests served at once, `queue` more waiting (FIFO), the rest
   * answered 503 at once; the latency of the behaviour is the service time on a worker. Health
   * requests skip the queue. Default undefined: unlimited (every request runs on its own timer).
   */
  capacity?: CapacityOptions;
  /**
   * Reports load in an ORCA `endpoint-load-metrics` header on every response but health checks
   * (503s from a full queue included; see `loadReportOn`): fixed values, `'auto'` (the workers'
   * busy share and the answer rate over the last second; needs `capacity`), or a function per
   * response. Default: none.
   */
  loadReport?: LoadReportOption;
  /**
   * Which responses carry the `loadReport`: `'requests'` (default: every response but health
   * checks), `'health'` (health check responses only, as a server that reports its load out of
   * band, to the balancer's health checks) or `'all'`.
   */
  loadReportOn?: LoadReportOn;
}

/** Which responses carry a test server's load report (`TestServerOptions.loadReportOn`). */
export type LoadReportOn = 'requests' | 'health' | 'all';

/** Options of {@link TestServer.close}. */
export interface CloseOptions {
  /** How long to let in-flight (not hung) responses finish before destroying them, in milliseconds. Default 1000. */
  graceMs?: number;
}

/** A real HTTP/1.1 server on loopback whose faults can be changed at any time. */
export interface TestServer {
  readonly id: string;
  /** Origin, e.g. `http://127.0.0.1:41234` (or `http://[::1]:41234`). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly healthPath: string;
  /** True unless crashed or closed. */
  readonly listening: boolean;
  /** The current behaviour (frozen). */
  readonly behavior: Behavior;
  /** Changes the behaviour for requests that arrive from now on; returns the new one. Throws RangeError on invalid values. */
  setBehavior(patch: BehaviorOptions): Behavior;
  /** Restores the behaviour the server was started with. */
  resetBehavior(): Behavior;
  /** Changes the load report for responses from now on (undefined: none). Throws RangeError on invalid values. */
  setLoadReport(report: LoadReportOption | undefined): void;
  /** Counter snapshot. */
  readonly stats: ServerStats;
  /** The last received requests (see `requestLogLimit`), oldest first. */
  readonly requests: readonly RequestRecord[];
  /** Zeroes the counters and empties the request log. */
  resetStats(): void;
  /** Requests received and not yet answered or aborted, hung ones included. */
  readonly inFlight: number;
  /** Workers and queue figures when the server has a `capacity`, else undefined. */
  readonly queue: QueueStats | undefined;
  /** Resolves when `inFlight` is 0. */
  whenIdle(): Promise<void>;
  /** Stops listening and resets every open connection at once; in-flight requests die. Resolves when the port is free and `inFlight` is 0. */
  crash(): Promise<void>;
  /** Listens again on the same host and port after `crash()`. No-op when listening; rejects after `close()`. */
  restart(): Promise<void>;
  /**
   * Stops listening, closes idle connections, destroys hung ones, lets other in-flight responses
   * finish within `graceMs`, then destroys the rest and clears every timer. Resolves when no socket,
   * timer or request is left. Idempotent.
   */
  close(options?: CloseOptions): Promise<void>;
}
