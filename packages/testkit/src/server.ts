/**
 * The test server (`test-server.ts` says what it offers): a node:http server that plans each
 * request from its current behaviour (`behavior.ts`), runs it on a worker when it has capacity
 * (`capacity.ts`), writes the response (`respond.ts`) with a load report when configured
 * (`load-report.ts`), and tracks its connections so crash and close leave nothing behind
 * (`connections.ts`).
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_BEHAVIOR, mergeBehavior, planHealth, planRequest, type Behavior, type BehaviorOptions, type ResponsePlan } from './behavior.js';
import { readBody } from './body.js';
import { Workers, type QueueStats } from './capacity.js';
import { Connections } from './connections.js';
import type { EchoSource } from './echo.js';
import { ServerLoad, type LoadReportOption } from './load-report.js';
import type { RandomSource } from './random.js';
import { writeResponse, type ResponseWriter } from './respond.js';
import { RequestLog, StatsRecorder, type RequestRecord, type ServerStats } from './stats.js';
import type { CloseOptions, TestServer, TestServerOptions } from './test-server.js';

export type { CloseOptions, LoadReportOn, TestServer, TestServerOptions } from './test-server.js';

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
  readonly #connections: Connections;
  readonly #load: ServerLoad;
  /** How planned responses are written: with the load report where `loadReportOn` says. */
  readonly #writer: ResponseWriter;
  readonly #healthWriter: ResponseWriter;
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
    this.#load = new ServerLoad(this.#workers);
    this.#load.set(options.loadReport);
    const on = options.loadReportOn ?? 'requests';
    if (on !== 'requests' && on !== 'health' && on !== 'all') throw new RangeError(`invalid testkit loadReportOn: expected 'requests', 'health' or 'all', got ${String(on)}`);
    // requestTimeout 0: a hung request must stay hung until the client or close() ends it.
    this.#http = createServer({ requestTimeout: 0 }, (req, res) => this.#onRequest(req, res));
    this.#connections = new Connections(this.#http);
    const sent = (status: number): void => {
      this.#stats.sent(status);
      this.#load.sent(status);
    };
    const after = (ms: number, res: ServerResponse, fn: () => void): void => this.#connections.after(ms, res, fn);
    const withLoad = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders => this.#load.head(headers, this.#inFlight);
    const without = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders => headers;
    this.#healthWriter = { after, sent, head: on === 'requests' ? without : withLoad };
    this.#writer = { after, sent, head: on === 'health' ? without : withLoad };
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
  setLoadReport(report: LoadReportOption | undefined): void {
    this.#load.set(report);
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
    this.#connections.destroyAll(true);
    await this.#connections.settle(stopped, this.whenIdle());
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
    this.#connections.destroyHung();
    if (this.#inFlight > this.#connections.hung && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.#connections.destroyAll(false);
    await this.#connections.settle(stopped, this.whenIdle());
  }

  #stopListening(): Promise<void> {
    if (!this.#http.listening) return Promise.resolve();
    return new Promise((resolve) => this.#http.close(() => resolve()));
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
      this.#connections.after(plan.stallMs ?? 0, res, () => (workers === undefined ? serve() : this.#onWorker(workers, res, serve)));
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
      res.writeHead(503, this.#writer.head({ 'content-type': 'application/json' })).end('{"error":"queue full"}');
      this.#writer.sent(503);
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
      this.#connections.hang(socket);
      return;
    }
    writeResponse(plan, res, echo, this.id, echo.path === this.healthPath ? this.#healthWriter : this.#writer);
  }
}
