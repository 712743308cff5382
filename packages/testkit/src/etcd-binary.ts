/**
 * Finding the etcd binary, deciding whether etcd tests can run, and what an etcd child needs:
 * a clean environment and free loopback ports.
 */
import { createServer, type Server } from 'node:net';
import { firstExecutable, inDirs, pathDirs } from './executable.js';

export const INSTALL_HINT =
  'etcd is not installed: install the Debian package `etcd-server` (sudo apt-get install -y etcd-server), ' +
  'or point ETCD_BIN at an etcd 3.4+ binary';

/** Where the etcd binary is, or undefined when there is none. */
export function findEtcdBinary(): string | undefined {
  return firstExecutable([process.env['ETCD_BIN'], ...inDirs(pathDirs(), 'etcd'), '/usr/bin/etcd']);
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

/** The environment for etcd: ours without ETCD_* variables (etcd reads its flags from them). */
export function etcdEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ETCD_')) env[key] = value;
  // etcd 3.4 refuses to start on architectures other than amd64 unless told to.
  if (process.arch === 'arm64') env['ETCD_UNSUPPORTED_ARCH'] = 'arm64';
  return env;
}

/** `count` distinct free ports on 127.0.0.1, held open together so the OS cannot repeat one. */
export async function freePorts(count: number): Promise<number[]> {
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
