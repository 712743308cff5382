/**
 * A real, single-member etcd for tests: the Debian `etcd` binary (package `etcd-server`) on
 * 127.0.0.1 with free client and peer ports and a temporary data directory. `stop()` and
 * `restart()` keep the ports and the data (leases and revisions survive, as in production);
 * `kill()` is a SIGKILL. Every child is killed and every temporary directory removed when the
 * process exits, even if a test forgot `close()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Options of {@link startEtcd}. */
export interface EtcdServerOptions {
  /** Path of the etcd binary. Default: `$ETCD_BIN`, else `etcd` on `PATH`, else `/usr/bin/etcd`. */
  binary?: string;
  /** How long to wait for `/health` after each start, in milliseconds. Default 15000. */
  startTimeoutMs?: number;
  /** Extra command-line flags, e.g. `['--auto-compaction-retention=1']`. */
  args?: readonly string[];
}

/** A running (or stopped) etcd member. */
export interface EtcdServer {
  /** Client URL, e.g. `http://127.0.0.1:41234`. Stable across `restart()`. */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly peerPort: number;
  /** The temporary data directory, removed by `close()` (or at process exit). */
  readonly dataDir: string;
  /** True while the process runs. */
  readonly running: boolean;
  /** Stops with SIGTERM (SIGKILL after 5 s) and resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** Stops with SIGKILL (a crash) and resolves when the process has exited. Idempotent. */
  kill(): Promise<void>;
  /** Stops if running, then starts again on the same ports and data directory; resolves once healthy. */
  restart(): Promise<void>;
  /** Stops and removes the data directory. Idempotent; `restart()` rejects afterwards. */
  close(): Promise<void>;
}

const INSTALL_HINT =
  'etcd is not installed: install the Debian package `etcd-server` (sudo apt-get install -y etcd-server), ' +
  'or point ETCD_BIN at an etcd 3.4+ binary';

/** Where the etcd binary is, or undefined when there is none. */
export function findEtcdBinary(): string | undefined {
  const candidates = [
    process.env['ETCD_BIN'],
    ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'etcd')),
    '/usr/bin/etcd',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there; try the next one
    }
  }
  return undefined;
}

let warned = false;

/**
 * Whether tests that need etcd can run. When the binary is missing this throws in CI
 * (`process.env.CI === 'true'`), so a broken CI image never passes by skipping; elsewhere it prints
 * one `console.warn` saying how to install etcd and returns false (use with `describe.skipIf`).
 */
export function etcdAvailable(): boolean {
  if (findEtcdBinary() !== undefined) return true;
  if (process.env['CI'] === 'true') throw new Error(`${INSTALL_HINT} (required when CI=true)`);
  if (!warned) {
    warned = true;
    console.warn(`[testkit] skipping etcd tests: ${INSTALL_HINT}`);
  }
  return false;
}

/** Starts etcd and resolves once `/health` reports healthy. */
export async function startEtcd(options: EtcdServerOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? findEtcdBinary();
  if (binary === undefined) throw new Error(INSTALL_HINT);
  // Free ports can be taken between probing and etcd binding them: retry with new ones.
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freePorts(2);
    const server = new EtcdProcess(binary, clientPort!, peerPort!, options);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.close();
      if (attempt >= 3 || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

/** Servers not yet closed, killed at process exit. */
const live = new Set<EtcdProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of live) server.cleanupSync();
  });
}

class EtcdProcess implements EtcdServer {
  readonly endpoint: string;
  readonly dataDir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stderr = '';
  #closed = false;

  constructor(
    private readonly binary: string,
    readonly clientPort: number,
    readonly peerPort: number,
    private readonly options: EtcdServerOptions,
  ) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
    this.dataDir = mkdtempSync(join(tmpdir(), 'datapunk-etcd-'));
    live.add(this);
    installExitHook();
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new Error('etcd test server is closed; start a new one');
    if (this.#child) return;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const args = [
      '--name=testkit',
      `--data-dir=${this.dataDir}`,
      `--listen-client-urls=${this.endpoint}`,
      `--advertise-client-urls=${this.endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=testkit=${peer}`,
      // A single member: short raft timers only make the first election (startup) faster.
      '--heartbeat-interval=25',
      '--election-timeout=250',
      '--logger=zap',
      '--log-level=error',
      ...(this.options.args ?? []),
    ];
    const child = spawn(this.binary, args, { env: etcdEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4096);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
      // A spawn failure (ENOENT, EACCES) emits 'error' and no 'exit'.
      child.once('error', (error) => {
        this.#stderr += String(error);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    // Neither the child nor its pipe keeps the test process alive: the exit hook kills it.
    child.unref();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    await this.#waitHealthy(child, this.options.startTimeoutMs ?? 15_000);
  }

  async #waitHealthy(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#child !== child) {
        throw new Error(`etcd exited during startup (${this.endpoint}): ${this.#stderr.trim() || 'no output'}`);
      }
      if (await healthy(this.endpoint)) return;
      if (performance.now() > deadline) {
        await this.#signal('SIGKILL');
        throw new Error(`etcd did not become healthy within ${timeoutMs} ms (${this.endpoint}): ${this.#stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
    live.delete(this);
  }

  /** Process-exit cleanup: synchronous only. */
  cleanupSync(): void {
    this.#child?.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async #signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return this.#exited;
    child.kill(signal);
    if (signal === 'SIGTERM') {
      const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await this.#exited;
      clearTimeout(escalate);
    } else await this.#exited;
  }
}

/** The environment for etcd: ours without ETCD_* variables (etcd reads its flags from them). */
function etcdEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ETCD_')) env[key] = value;
  // etcd 3.4 refuses to start on architectures other than amd64 unless told to.
  if (process.arch === 'arm64') env['ETCD_UNSUPPORTED_ARCH'] = 'arm64';
  return env;
}

function healthy(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${endpoint}/health`, { timeout: 1_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** `count` distinct free ports on 127.0.0.1, held open together so the OS cannot repeat one. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: 0, host: '127.0.0.1' }, resolve);
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port assigned');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
