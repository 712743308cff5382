/**
 * A real DNS server for tests: the Debian `dnsmasq` binary (package `dnsmasq-base`, which installs
 * no system service) on 127.0.0.1 and a free UDP+TCP port, in the foreground, with a generated
 * configuration in a temporary directory: no resolv.conf, no /etc/hosts, no upstream servers, no
 * DHCP. It answers only the records it is given: A/AAAA (`host-record`), SRV (`srv-host`) and TXT
 * (`txt-record`), NXDOMAIN for other names in its local domains and REFUSED for the rest.
 * The process is killed by `stop()`, and on the test process's exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { dnsmasqConfig, READY_NAME, type DnsmasqRecords } from './dnsmasq-config.js';

export { dnsmasqConfig } from './dnsmasq-config.js';
export type { DnsmasqHost, DnsmasqRecords, DnsmasqSrv, DnsmasqTxt } from './dnsmasq-config.js';

/** Options of `startDnsmasq`. */
export interface DnsmasqOptions {
  readonly records?: DnsmasqRecords;
  /** Path of the binary. Default: `findDnsmasq()`. */
  readonly binary?: string;
  /** How long to wait for dnsmasq to answer, in milliseconds. Default 5000. */
  readonly startTimeoutMs?: number;
}

/** A running dnsmasq on loopback: where it listens, what it serves, restart with new records, stop. */
export interface Dnsmasq {
  readonly host: '127.0.0.1';
  /** The UDP and TCP port it listens on; kept across restarts. */
  readonly port: number;
  /** `'127.0.0.1:PORT'`, as `Resolver.setServers` and DNS discovery's `servers` take it. */
  readonly server: string;
  /** The records being served. */
  readonly records: DnsmasqRecords;
  readonly running: boolean;
  /** Process id of the running dnsmasq (undefined once stopped). */
  readonly pid: number | undefined;
  /** Everything dnsmasq wrote to stderr since it was last (re)started. */
  readonly log: string;
  /** Stops the server and starts it again on the same port with `records` (default: the current ones). */
  restart(records?: DnsmasqRecords): Promise<void>;
  /** Stops the server (queries then fail with ECONNREFUSED) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const HOW_TO_INSTALL = 'install it with `apt-get install dnsmasq-base` (Debian/Ubuntu) or point DNSMASQ_BIN at the binary';

/** The dnsmasq binary: `$DNSMASQ_BIN`, `/usr/sbin/dnsmasq`, `/usr/local/sbin/dnsmasq` or on PATH; undefined when none. */
export function findDnsmasq(): string | undefined {
  const dirs = ['/usr/sbin', '/usr/local/sbin', '/sbin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  const candidates = [process.env.DNSMASQ_BIN, ...dirs.map((d) => join(d, 'dnsmasq'))];
  for (const path of candidates) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not there; try the next one.
    }
  }
  return undefined;
}

/**
 * For test files: the dnsmasq path, or undefined after a visible warning saying how to install it
 * (skip the tests with `describe.skipIf(!dnsmasqForTests())`). With `CI=true` a missing binary is
 * an error instead: CI must not skip these tests silently.
 */
export function dnsmasqForTests({ find = findDnsmasq }: { find?: () => string | undefined } = {}): string | undefined {
  const path = find();
  if (path) return path;
  if (process.env.CI === 'true') throw new Error(`dnsmasq not found, and CI=true: the DNS tests must run there; ${HOW_TO_INSTALL}`);
  console.warn(`[testkit] dnsmasq not found: skipping the tests that need a real DNS server; ${HOW_TO_INSTALL}`);
  return undefined;
}

const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** A port free for both UDP and TCP on 127.0.0.1 (as far as anyone can tell before using it). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcp = createServer();
    const tcpFree = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      return port;
    }
  }
  throw new Error('startDnsmasq: found no port free for both UDP and TCP on 127.0.0.1');
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  log: string;
}

/** Spawns dnsmasq and resolves once it answers a query; rejects (with its stderr) if it exits or stays silent. */
async function launch(binary: string, confPath: string, port: number, timeoutMs: number): Promise<Running> {
  const child = spawn(binary, ['--keep-in-foreground', `--conf-file=${confPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  const running: Running = {
    child,
    log: '',
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  child.stderr?.on('data', (d: Buffer) => (running.log += d.toString()));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const resolver = new Resolver({ timeout: 100, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (spawnError) throw new Error(`startDnsmasq: could not run ${binary}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      await running.exited;
      throw Object.assign(new Error(`startDnsmasq: dnsmasq exited (${child.exitCode ?? child.signalCode}): ${running.log.trim()}`), {
        addressInUse: /address already in use/i.test(running.log),
      });
    }
    try {
      await resolver.resolveTxt(READY_NAME);
      return running;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  child.kill('SIGKILL');
  await running.exited;
  throw new Error(`startDnsmasq: dnsmasq did not answer on 127.0.0.1:${port} within ${timeoutMs} ms: ${running.log.trim()}`);
}

async function terminate(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 2_000);
  await running.exited;
  clearTimeout(timer);
}

/** Starts dnsmasq serving `options.records`. Throws when the binary is missing (see `dnsmasqForTests`). */
export async function startDnsmasq(options: DnsmasqOptions = {}): Promise<Dnsmasq> {
  const binary = options.binary ?? findDnsmasq();
  if (!binary) throw new Error(`startDnsmasq: dnsmasq not found; ${HOW_TO_INSTALL}`);
  const timeoutMs = options.startTimeoutMs ?? 5_000;
  let records = options.records ?? {};
  dnsmasqConfig(records, 53); // validate before anything is created
  const dir = await mkdtemp(join(tmpdir(), 'testkit-dnsmasq-'));
  const confPath = join(dir, 'dnsmasq.conf');

  let port = 0;
  let running: Running | undefined;
  try {
    for (let attempt = 1; !running; attempt++) {
      port = await freePort();
      await writeFile(confPath, dnsmasqConfig(records, port));
      try {
        running = await launch(binary, confPath, port, timeoutMs);
      } catch (error) {
        // Another process took the port between the probe and dnsmasq's bind: take another.
        if (!(error as { addressInUse?: boolean }).addressInUse || attempt >= 5) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  const server: Dnsmasq = {
    host: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    get records() {
      return records;
    },
    get running() {
      return running !== undefined && running.child.exitCode === null && running.child.signalCode === null;
    },
    get pid() {
      return server.running ? running?.child.pid : undefined;
    },
    get log() {
      return running?.log ?? '';
    },
    async restart(next = records) {
      if (stopped) throw new Error('startDnsmasq: restart() after stop()');
      const config = dnsmasqConfig(next, port);
      if (running) await terminate(running);
      running = undefined;
      records = next;
      await writeFile(confPath, config);
      running = await launch(binary, confPath, port, timeoutMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running) await terminate(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
