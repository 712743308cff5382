/**
 * A real, single-member etcd for tests: the Debian `etcd` binary (package `etcd-server`) on
 * 127.0.0.1 with free client and peer ports and a temporary data directory. `stop()` and
 * `restart()` keep the ports and the data (leases and revisions survive, as in production);
 * `kill()` is a SIGKILL. Every child is killed and every temporary directory removed when the
 * process exits, even if a test forgot `close()`.
 *
 * As production runs it: `tls` serves clients over https with certificates made at run time
 * (`createTestPki`, openssl), optionally requiring client certificates; `auth` creates root and
 * role-scoped users and enables etcd's auth, with a token TTL short enough for tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_HINT, etcdEnv, findEtcdBinary, freePorts } from './etcd-binary.js';
import { RootSession, enableAuth, type EtcdAuthSetup, type EtcdTestUser } from './etcd-auth.js';
import { etcdHealthy, gatewayPost, type EtcdClientTls } from './etcd-client.js';
import { etcdFlags } from './etcd-flags.js';
import { createTestPki, type TestPki } from './pki.js';

/** Options of TLS in {@link startEtcd}. */
export interface EtcdTlsSetup {
  /** Where the server's certificate comes from. Default: a new `createTestPki()`. */
  readonly pki?: TestPki;
  /**
   * Require client certificates signed by the CA (`--client-cert-auth --trusted-ca-file`).
   * Default false. (etcd 3.4 asks for a client certificate whenever it is given a trusted CA
   * file, so without this option it is not given one.)
   */
  readonly clientCertAuth?: boolean;
}

/** Options of {@link startEtcd}. */
export interface EtcdServerOptions {
  /** Path of the etcd binary. Default: `$ETCD_BIN`, else `etcd` on `PATH`, else `/usr/bin/etcd`. */
  binary?: string;
  /** How long to wait for `/health` after each start, in milliseconds. Default 15000. */
  startTimeoutMs?: number;
  /** Extra command-line flags, e.g. `['--auto-compaction-retention=1']`. */
  args?: readonly string[];
  /** Serve clients over https (`true`: a new test PKI, no client certificates). Default off. */
  tls?: boolean | EtcdTlsSetup;
  /** Create root and users and enable auth (`true`: root only). Default off. */
  auth?: boolean | EtcdAuthSetup;
}

/** A running (or stopped) etcd member. */
export interface EtcdServer {
  /** Client URL, e.g. `http://127.0.0.1:41234` (`https:` with TLS). Stable across `restart()`. */
  readonly endpoint: string;
  /** The PKI of the certificate the server uses (or will use at its next start); TLS only. */
  readonly pki: TestPki | undefined;
  /** What a client needs for TLS: the current CA, and the client certificate when required. */
  readonly clientTls: EtcdClientTls | undefined;
  /** root's password, with auth. */
  readonly rootPassword: string | undefined;
  /** The users created besides root, with auth. */
  readonly users: readonly EtcdTestUser[];
  /**
   * POSTs JSON to the gateway as root (with a token when auth is on, over TLS with the current
   * CA) and resolves with the answer; rejects on an error answer.
   */
  call(path: string, body: unknown): Promise<Record<string, unknown>>;
  /** Serves a certificate from `pki` from the next start on (a rotation, or a wrong CA). TLS only. */
  useCertificates(pki: TestPki): void;
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

/** Starts etcd and resolves once `/health` reports healthy. */
export async function startEtcd(options: EtcdServerOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? findEtcdBinary();
  if (binary === undefined) throw new Error(INSTALL_HINT);
  const tlsSetup = options.tls === true ? {} : options.tls || undefined;
  const tls = tlsSetup && { pki: tlsSetup.pki ?? (await createTestPki()), clientCertAuth: tlsSetup.clientCertAuth ?? false };
  const authSetup = options.auth === true ? {} : options.auth || undefined;
  const auth = authSetup && { ...authSetup, rootPassword: authSetup.rootPassword ?? randomBytes(12).toString('hex') };
  // Free ports can be taken between probing and etcd binding them: retry with new ones.
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freePorts(2);
    const server = new EtcdProcess(binary, clientPort!, peerPort!, options, tls, auth);
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

interface ResolvedTls {
  pki: TestPki;
  readonly clientCertAuth: boolean;
}

type ResolvedAuth = EtcdAuthSetup & { readonly rootPassword: string };

class EtcdProcess implements EtcdServer {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly #tlsDir: string | undefined;
  readonly #root: RootSession | undefined;
  #authEnabled = false;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stderr = '';
  #closed = false;

  constructor(
    private readonly binary: string,
    readonly clientPort: number,
    readonly peerPort: number,
    private readonly options: EtcdServerOptions,
    private readonly tls: ResolvedTls | undefined,
    private readonly auth: ResolvedAuth | undefined,
  ) {
    this.endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
    this.dataDir = mkdtempSync(join(tmpdir(), 'datapunk-etcd-'));
    this.#tlsDir = tls ? mkdtempSync(join(tmpdir(), 'datapunk-etcd-tls-')) : undefined;
    if (auth) this.#root = new RootSession(() => this.endpoint, () => this.clientTls, auth.rootPassword);
    live.add(this);
    installExitHook();
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pki(): TestPki | undefined {
    return this.tls?.pki;
  }

  get clientTls(): EtcdClientTls | undefined {
    if (!this.tls) return undefined;
    return { ca: this.tls.pki.ca, ...(this.tls.clientCertAuth ? this.tls.pki.client : {}) };
  }

  get rootPassword(): string | undefined {
    return this.auth?.rootPassword;
  }

  get users(): readonly EtcdTestUser[] {
    return this.auth?.users ?? [];
  }

  async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    if (this.#root) return this.#root.call(path, body);
    const answer = await gatewayPost(this.endpoint, path, body, { tls: this.clientTls });
    if (answer.status !== 200) throw new Error(`etcd ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  useCertificates(pki: TestPki): void {
    if (!this.tls) throw new Error('useCertificates: this etcd was started without tls');
    this.tls.pki = pki;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new Error('etcd test server is closed; start a new one');
    if (this.#child) return;
    const args = etcdFlags({
      dataDir: this.dataDir,
      endpoint: this.endpoint,
      peerPort: this.peerPort,
      tls: this.tls,
      tlsDir: this.#tlsDir,
      auth: this.auth,
      extra: this.options.args,
    });
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
    // Auth lives in the data directory: set it up once, on the first start.
    if (this.auth && !this.#authEnabled) {
      await enableAuth(this.endpoint, this.clientTls, this.auth.rootPassword, this.auth.users ?? []);
      this.#authEnabled = true;
    }
  }

  async #waitHealthy(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#child !== child) {
        throw new Error(`etcd exited during startup (${this.endpoint}): ${this.#stderr.trim() || 'no output'}`);
      }
      if (await etcdHealthy(this.endpoint, this.clientTls)) return;
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
    this.#removeDirs();
    live.delete(this);
  }

  /** Process-exit cleanup: synchronous only. */
  cleanupSync(): void {
    this.#child?.kill('SIGKILL');
    this.#removeDirs();
  }

  #removeDirs(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.#tlsDir) rmSync(this.#tlsDir, { recursive: true, force: true });
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
