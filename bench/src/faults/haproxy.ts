/**
 * HAProxy as a contender: the Debian package's binary, started by the bench on 127.0.0.1 with a
 * generated configuration, the way its users would set it up for this fleet (active HTTP checks
 * with HAProxy's default inter/rise/fall, passive `observe layer7` that marks a server down after
 * consecutive errors, layer-7 retries with redispatch on connection failures, 503s and response
 * timeouts, leastconn, and a server timeout equal to our per-attempt timeout). Never faked: when
 * the binary is missing the row says so and how to install it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HAPROXY_INSTALL = 'apt-get install haproxy   (Debian/Ubuntu; HAProxy 2.6 on Debian 12)';

export interface HaproxyInfo {
  readonly path: string;
  readonly version: string;
}

/** The installed HAProxy, or undefined. */
export function findHaproxy(): HaproxyInfo | undefined {
  const candidates = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'];
  let path = candidates.find((p) => existsSync(p));
  if (!path) {
    try {
      path = execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      path = undefined;
    }
  }
  if (!path) return undefined;
  try {
    const out = execFileSync(path, ['-v'], { encoding: 'utf8' });
    return { path, version: /version (\S+)/i.exec(out)?.[1] ?? 'unknown' };
  } catch {
    return undefined;
  }
}

export interface HaproxyConfigOptions {
  readonly port: number;
  readonly servers: readonly string[];
  readonly statsSocket: string;
  readonly serverTimeoutMs: number;
}

/** The generated configuration (also quoted in RESULTS.md). */
export function haproxyConfig(o: HaproxyConfigOptions): string {
  const servers = o.servers.map((url, i) => `    server s${i} ${new URL(url).host} check`);
  return [
    'global',
    `    stats socket ${o.statsSocket} mode 600 level admin`,
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    option http-keep-alive',
    '    timeout connect 1s',
    '    timeout client 30s',
    `    timeout server ${o.serverTimeoutMs}ms`,
    '    timeout http-keep-alive 30s',
    '    timeout check 1s',
    '    retries 3',
    '    option redispatch 1',
    '    retry-on conn-failure empty-response response-timeout 503',
    '',
    'frontend fe',
    `    bind 127.0.0.1:${o.port}`,
    '    default_backend be',
    '',
    'backend be',
    '    balance leastconn',
    '    option httpchk GET /health',
    '    http-check expect status 200',
    '    default-server inter 2s rise 2 fall 3 observe layer7 error-limit 10 on-error mark-down',
    ...servers,
    '',
  ].join('\n');
}

/** One server's row of `show stat`. */
export interface HaproxyServerStat {
  readonly name: string;
  /** Cumulative sessions (requests) sent to the server. */
  readonly stot: number;
  /** Connection errors. */
  readonly econ: number;
  readonly status: string;
}

export interface RunningHaproxy {
  readonly url: string;
  readonly config: string;
  stats(): Promise<HaproxyServerStat[]>;
  close(): Promise<void>;
}

/** A free loopback port (closed again before HAProxy binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startHaproxy(info: HaproxyInfo, servers: readonly string[], serverTimeoutMs: number): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-haproxy-'));
  const statsSocket = join(dir, 'stats.sock');
  const port = await freePort();
  const config = haproxyConfig({ port, servers, statsSocket, serverTimeoutMs });
  const configPath = join(dir, 'haproxy.cfg');
  writeFileSync(configPath, config);
  // -db: stay in the foreground, so the bench owns the process and its exit.
  const child = spawn(info.path, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => stderr);
    await waitForSocket(statsSocket);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    stats: () => showStat(statsSocket),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`haproxy did not listen on ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForSocket(path: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`haproxy stats socket ${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `show stat` over the admin socket, servers of backend `be` only. */
export function showStat(socketPath: string): Promise<HaproxyServerStat[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('error', reject);
    socket.once('end', () => resolve(parseShowStat(text)));
    socket.once('connect', () => socket.write('show stat\n'));
  });
}

export function parseShowStat(text: string): HaproxyServerStat[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const columns = header.slice(2).split(',');
  const col = (name: string): number => columns.indexOf(name);
  const [px, sv, stot, econ, status] = ['pxname', 'svname', 'stot', 'econ', 'status'].map(col) as [number, number, number, number, number];
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((f) => f[px] === 'be' && f[sv] !== 'BACKEND')
    .map((f) => ({ name: f[sv]!, stot: Number(f[stot] || 0), econ: Number(f[econ] || 0), status: f[status] ?? '' }));
}
