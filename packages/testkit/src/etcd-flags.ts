/**
 * The command line of a single-member test etcd: where it listens and keeps its data, short raft
 * timers, and the TLS and auth flags. Certificate files are written when the flags are made, so a
 * restart after `useCertificates()` serves the new ones.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPki } from './pki.js';

/** What the flags of one start depend on. */
export interface EtcdMember {
  readonly dataDir: string;
  /** Client URL (`http://127.0.0.1:<port>`, `https:` with TLS). */
  readonly endpoint: string;
  readonly peerPort: number;
  /** The server certificate's PKI, and whether client certificates are required; TLS only. */
  readonly tls?: { readonly pki: TestPki; readonly clientCertAuth: boolean } | undefined;
  /** Where certificate files are written; TLS only. */
  readonly tlsDir?: string | undefined;
  /** Simple-token TTL in seconds when auth is on (default 300); undefined without auth. */
  readonly auth?: { readonly tokenTtlSeconds?: number | undefined } | undefined;
  /** Extra flags, last. */
  readonly extra?: readonly string[] | undefined;
}

export function etcdFlags(member: EtcdMember): string[] {
  const peer = `http://127.0.0.1:${member.peerPort}`;
  return [
    '--name=testkit',
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=${member.endpoint}`,
    `--advertise-client-urls=${member.endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=testkit=${peer}`,
    // A single member: short raft timers only make the first election (startup) faster.
    '--heartbeat-interval=25',
    '--election-timeout=250',
    '--logger=zap',
    '--log-level=error',
    ...securityFlags(member),
    ...(member.extra ?? []),
  ];
}

/** Flags for TLS (certificate files written now, from the current PKI) and auth. */
function securityFlags({ tls, tlsDir, auth }: EtcdMember): string[] {
  const args: string[] = [];
  if (tls && tlsDir) {
    const file = (name: string, text: string): string => {
      writeFileSync(join(tlsDir, name), text, { mode: 0o600 });
      return join(tlsDir, name);
    };
    args.push(`--cert-file=${file('server.pem', tls.pki.server.cert)}`, `--key-file=${file('server.key', tls.pki.server.key)}`);
    if (tls.clientCertAuth) args.push('--client-cert-auth', `--trusted-ca-file=${file('ca.pem', tls.pki.ca)}`);
  }
  if (auth) args.push('--auth-token=simple', `--auth-token-ttl=${auth.tokenTtlSeconds ?? 300}`);
  return args;
}
