import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  DEFAULT_BEHAVIOR,
  mergeBehavior,
  planHealth,
  planRequest,
  type Behavior,
  type BehaviorOptions,
  type ResponsePlan,
} from './behavior.js';
import { readBody, streamBytes } from './body.js';
import { Workers, type CapacityOptions, type QueueStats } from './capacity.js';
import { jsonBody, type EchoSource } from './echo.js';
import type { RandomSource } from './random.js';
import { RequestLog, StatsRecorder, type RequestRecord, type ServerStats } from './stats.js';

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
}

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

/** Starts a {@link TestServer} and resolves once it listens. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = new FaultyServer(options);
  await server.listen(options.port ?? 0);
  return server;
}

class FaultyServer implements TestServer {
  readonly host: string;
  readonly healthPath: string;
  readonly #http: Server;
  readonly #random: RandomSource;
  readonly #echoCap: number;
  readonly #initial: Behavior;
  readonly #stats = new StatsRecorder();
  readonly #workers: Workers | undefined;
  readonly #log: RequestLog;
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #idleWaiters: (() => void)[] = [];
  #behavior: Behavior;
  #id: string | undefined;
  #port = 0;
  #inFlight = 0;
  #closing: Promise<void> | undefined;

  constructor(options: TestServerOptions) {
    this.#id = options.id;
    this.host = options.host ?? '127.0.0.1';
    this.healthPath = options.healthPath ?? '/health';
    this.#random = options.random ?? Math.random;
    this.#echoCap = options.maxEchoBodyBytes ?? 64 * 1024;
    this.#log = new RequestLog(options.requestLogLimit ?? 100);
    this.#initial = mergeBehavior(DEFAULT_BEHAVIOR, options.behavior);
    this.#behavior = this.#initial;
    this.#workers = options.capacity === undefined ? undefined : new Workers(options.capacity);
    // requestTimeout 0: a hung request must stay hung until the client or close() ends it.
    this.#http = createServer({ requestTimeout: 0 }, (req, res) => this.#onRequest(req, res));
    this.#http.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#hung.delete(socket);
      });
    });
  }

  get id(): string {
    return this.#id ?? `server-${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.#port}`;
  }
  get listening(): boolean {
    return this.#http.listening;
  }
  get behavior(): Behavior {
    return this.#behavior;
  }
  get stats(): ServerStats {
    return this.#stats.snapshot();
  }
  get requests(): readonly RequestRecord[] {
    return this.#log.entries();
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  get queue(): QueueStats | undefined {
    return this.#workers?.stats;
  }

  setBehavior(patch: BehaviorOptions): Behavior {
    this.#behavior = mergeBehavior(this.#behavior, patch);
    return this.#behavior;
  }
  resetBehavior(): Behavior {
    this.#behavior = this.#initial;
    return this.#behavior;
  }
  resetStats(): void {
    this.#workers?.resetStats();
    this.#stats.clear();
    this.#log.clear();
  }
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen({ port, host: this.host }, () => {
        this.#http.off('error', reject);
        const address = this.#http.address();
        if (address !== null && typeof address === 'object') this.#port = address.port;
        resolve();
      });
    });
  }

  async crash(): Promise<void> {
    const stopped = this.#stopListening();
    this.#destroyAll(true);
    await this.#settle(stopped);
  }

  async restart(): Promise<void> {
    if (this.#closing !== undefined) throw new Error(`testkit server ${this.id} is closed; start a new one`);
    if (!this.#http.listening) await this.listen(this.#port);
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#closeGracefully(options.graceMs ?? 1000);
    return this.#closing;
  }

  async #closeGracefully(graceMs: number): Promise<void> {
    const stopped = this.#stopListening();
    this.#http.closeIdleConnections();
    for (const socket of this.#hung) socket.destroy();
    if (this.#inFlight > this.#hung.size && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.#destroyAll(false);
    await this.#settle(stopped);
  }

  #stopListening(): Promise<void> {
    if (!this.#http.listening) return Promise.resolve();
    return new Promise((resolve) => this.#http.close(() => resolve()));
  }

  /**
   * Waits, after destroyAll(), until the listener, every socket and every request are gone, then
   * two turns of the event loop: net.Server emits 'close' before libuv runs the handle's close
   * callback, and until then the handle still shows in process.getActiveResourcesInfo().
   */
  async #settle(stopped: Promise<void>): Promise<void> {
    const sockets = [...this.#sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    await Promise.all([stopped, this.whenIdle(), ...sockets]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  #destroyAll(reset: boolean): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) {
      if (reset && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const isHealth = path === this.healthPath;
    const behavior = this.#behavior;
    const socket = req.socket;
    const at = Date.now();
    this.#stats.received(path, isHealth);
    this.#inFlight++;
    res.once('close', () => this.#onResponseClosed());
    res.setHeader('x-testkit-server', this.id);
    void readBody(req, this.#echoCap).then((body) => {
      if (body === undefined || res.destroyed) return;
      const { method = 'GET', headers } = req;
      this.#log.push({ method, url: target, headers, body: body.text, bodyTruncated: body.truncated, at });
      const plan = isHealth ? planHealth(behavior.health, this.#random) : planRequest(behavior, this.#random);
      const search = q === -1 ? '' : target.slice(q + 1);
      const echo = { method, path, search, headers, body: body.text };
      if (isHealth || plan.kind !== 'respond') return this.#execute(plan, res, socket, echo);
      // A stalled request waits before it takes a worker (or a place in the queue): it holds none.
      const workers = this.#workers;
      const serve = (): void => this.#execute(plan, res, socket, echo);
      this.#after(plan.stallMs ?? 0, res, () => (workers === undefined ? serve() : this.#onWorker(workers, res, serve)));
    });
  }

  /** Runs `serve` on a worker (now or once one is free); a full queue answers 503 at once. */
  #onWorker(workers: Workers, res: ServerResponse, serve: () => void): void {
    let started = false;
    const withdraw = workers.acquire(() => {
      started = true;
      res.once('close', () => workers.release());
      serve();
    });
    if (withdraw === false) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"queue full"}');
      this.#stats.sent(503);
      return;
    }
    if (!started) res.once('close', withdraw);
  }

  #onResponseClosed(): void {
    this.#inFlight--;
    if (this.#inFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #execute(plan: ResponsePlan, res: ServerResponse, socket: Socket, echo: EchoSource): void {
    if (plan.kind === 'reset') {
      this.#stats.reset();
      socket.resetAndDestroy();
      return;
    }
    if (plan.kind === 'hang') {
      this.#stats.hang();
      this.#hung.add(socket);
      return;
    }
    this.#respond(plan, res, echo);
  }

  #respond(plan: ResponsePlan & { kind: 'respond' }, res: ServerResponse, echo: EchoSource): void {
    this.#after(plan.headersDelayMs, res, () => {
      const body = plan.body;
      if (plan.status === 204 || plan.status === 304) {
        // These statuses carry no body, and no Content-Length either.
        res.writeHead(plan.status, plan.headers).end();
        this.#stats.sent(plan.status);
        return;
      }
      const json =
        body.kind === 'bytes' ? undefined : Buffer.from(JSON.stringify(jsonBody(this.id, body, plan.status, echo)));
      res.writeHead(plan.status, {
        ...plan.headers,
        'content-type': json === undefined ? 'application/octet-stream' : 'application/json',
        'content-length': String(json?.length ?? (body.kind === 'bytes' ? body.bytes : 0)),
      });
      this.#stats.sent(plan.status);
      if (plan.bodyDelayMs > 0) res.flushHeaders();
      this.#after(plan.bodyDelayMs, res, () => {
        if (json !== undefined) res.end(json);
        else if (body.kind === 'bytes') streamBytes(res, body.bytes);
      });
    });
  }

  /**
   * Runs `fn` after `ms` (at once when 0) unless the response closes first. The timer is tracked and
   * stays ref'd (the request's socket keeps the process alive anyway), so a leak would show in
   * `process.getActiveResourcesInfo()`; crash() and close() clear it.
   */
  #after(ms: number, res: ServerResponse, fn: () => void): void {
    if (ms <= 0) return fn();
    const cancel = (): void => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      res.off('close', cancel);
      if (!res.destroyed) fn();
    }, ms);
    this.#timers.add(timer);
    res.once('close', cancel);
  }
}
