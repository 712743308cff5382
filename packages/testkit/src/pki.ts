/**
 * A throwaway certificate authority for tests, made at run time with the `openssl` CLI (Debian
 * package `openssl`; no network): a CA, a server certificate for 127.0.0.1, ::1, `localhost` and
 * `etcd.test` (or the names asked for), and a client certificate. EC P-256 keys, valid two days.
 * Each call makes a new, unrelated CA, so a second one is "the wrong CA". The files are removed
 * before the promise resolves: only PEM text is returned.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { firstExecutable, inDirs, pathDirs } from './executable.js';

/** A certificate and its private key, PEM. */
export interface TestKeyPair {
  readonly cert: string;
  readonly key: string;
}

/** The output of {@link createTestPki}. */
export interface TestPki {
  /** The CA certificate, PEM: what clients pass as `ca`. */
  readonly ca: string;
  /** Server certificate (serverAuth and clientAuth usage: etcd's gateway dials itself with it). */
  readonly server: TestKeyPair;
  /** Client certificate (clientAuth), without a common name unless {@link TestPkiOptions.clientName} is given. */
  readonly client: TestKeyPair;
}

/** Options of {@link createTestPki}. */
export interface TestPkiOptions {
  /** Names in the server certificate. Default `['127.0.0.1', '::1', 'localhost', 'etcd.test']`. */
  readonly serverNames?: readonly string[];
  /**
   * Common name of the client certificate. Default: none (subject `O=datapunk test client`):
   * etcd 3.4's JSON gateway refuses every request with a client certificate that has a common
   * name while auth is enabled ("CommonName of client sending a request against gateway will be
   * ignored and not used as expected").
   */
  readonly clientName?: string;
}

const INSTALL_HINT = 'openssl is not installed: install the Debian package `openssl` (sudo apt-get install -y openssl)';

/** Where the openssl binary is, or undefined. */
export function findOpenssl(): string | undefined {
  return firstExecutable(inDirs([...pathDirs(), '/usr/bin'], 'openssl'));
}

/** Makes a new CA with a server and a client certificate. Rejects with a clear error without openssl. */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const openssl = findOpenssl();
  if (openssl === undefined) throw new Error(INSTALL_HINT);
  const names = options.serverNames ?? ['127.0.0.1', '::1', 'localhost', 'etcd.test'];
  const dir = mkdtempSync(join(tmpdir(), 'datapunk-pki-'));
  try {
    writeFileSync(join(dir, 'openssl.cnf'), config(names));
    const run = (...args: string[]): Promise<void> => runOpenssl(openssl, dir, args);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    const id = randomBytes(6).toString('hex');
    await run('req', '-x509', '-config', 'openssl.cnf', '-extensions', 'ca', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=datapunk test CA ${id}`);
    const issue = async (name: string, subject: string): Promise<TestKeyPair> => {
      await run('req', '-new', '-config', 'openssl.cnf', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      const serial = `0x${randomBytes(8).toString('hex')}`;
      await run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '2', '-extfile', 'openssl.cnf', '-extensions', name, '-out', `${name}.pem`);
      return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
    };
    const server = await issue('server', `/CN=${names[0] ?? 'localhost'}`);
    const client = await issue('client', options.clientName === undefined ? '/O=datapunk test client' : `/CN=${options.clientName}`);
    return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), server, client };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function config(names: readonly string[]): string {
  const alt = names.map((name, i) => (isIP(name) ? `IP.${i + 1} = ${name}` : `DNS.${i + 1} = ${name}`));
  return [
    '[req]',
    'distinguished_name = dn',
    '[dn]',
    '[ca]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth,clientAuth',
    'subjectAltName = @alt',
    '[client]',
    'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature',
    'extendedKeyUsage = clientAuth',
    '[alt]',
    ...alt,
    '',
  ].join('\n');
}

function runOpenssl(openssl: string, cwd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(openssl, args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${String(stderr).trim() || error.message}`));
      else resolve();
    });
  });
}
