/**
 * TLS for `https:` etcd endpoints: the option, its validation at construction, and the naming of
 * handshake failures.
 *
 * Certificates and keys are PEM text (strings or Buffers), never file paths: a path would mean
 * synchronous file reads at construction, and an application that rotates certificates reads
 * them itself anyway. A string that is not PEM is reported as such (with a hint to pass the
 * file's contents), never echoed: it may be a key.
 *
 * The resolved settings keep the key in a private field, so logging, `util.inspect` or
 * `JSON.stringify` of a source or its config never shows it.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Issues } from './options.js';

/** TLS settings for `https:` endpoints (Node's `https.Agent` does the handshake). */
export interface EtcdTlsOptions {
  /**
   * Certificate authorities to trust for the server's certificate, PEM (one or several
   * certificates in one text, or a list). Default: Node's bundled roots.
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate, PEM, for etcd's `--client-cert-auth`. Requires `key`. */
  readonly cert?: string | Buffer;
  /** The client certificate's private key, PEM, unencrypted. Requires `cert`. */
  readonly key?: string | Buffer;
  /**
   * The name the server's certificate must carry, and the TLS SNI name, when it differs from the
   * endpoint's host (e.g. endpoints by IP, certificate for `etcd.internal`). A DNS name, not an
   * IP address. Default: each endpoint's host.
   */
  readonly servername?: string;
  /**
   * Whether to verify the server's certificate. `false` accepts any certificate (a man in the
   * middle too) and logs a warning when the source or registration is created. Default `true`.
   */
  readonly rejectUnauthorized?: boolean;
}

const TLS_KEYS = ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized'];

/** Resolved TLS settings; the PEM material stays private. */
export class TlsSettings {
  readonly #options: SecureContextOptions & { servername?: string; rejectUnauthorized: boolean };

  constructor(options: SecureContextOptions & { servername?: string; rejectUnauthorized: boolean }) {
    this.#options = options;
  }

  /** Whether server certificates are verified. */
  get verified(): boolean {
    return this.#options.rejectUnauthorized;
  }

  /** Options for `new https.Agent(...)`. */
  agentOptions(): SecureContextOptions & { servername?: string; rejectUnauthorized: boolean } {
    return { ...this.#options };
  }

  toJSON(): object {
    return { verified: this.verified, servername: this.#options.servername };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TlsSettings ${JSON.stringify(this.toJSON())}`;
  }
}

/** Validates the `tls` option; returns undefined when absent or invalid (the issues say why). */
export function resolveTls(value: unknown, endpoints: readonly URL[], issues: Issues): TlsSettings | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add('tls', 'expected an object { ca?, cert?, key?, servername?, rejectUnauthorized? }');
    return undefined;
  }
  const before = issues.list.length;
  const tls = value as Record<string, unknown>;
  for (const key of Object.keys(tls)) if (!TLS_KEYS.includes(key)) issues.add(`tls.${key}`, `unknown option (known: ${TLS_KEYS.join(', ')})`);
  if (endpoints.length > 0 && !endpoints.some((e) => e.protocol === 'https:')) {
    issues.add('tls', 'set, but no endpoint is https: (use https:// endpoints, or leave tls out)');
  }
  const ca = readCa(tls['ca'], issues);
  const cert = readPem(tls['cert'], 'tls.cert', issues);
  const key = readPem(tls['key'], 'tls.key', issues);
  if ((cert === undefined) !== (key === undefined) && issues.list.length === before) {
    issues.add(cert === undefined ? 'tls.cert' : 'tls.key', 'tls.cert and tls.key go together: set both or neither');
  }
  const servername = tls['servername'];
  if (servername !== undefined && (typeof servername !== 'string' || servername === '' || isIP(servername) !== 0)) {
    issues.add('tls.servername', `expected a DNS name (not an IP address: TLS forbids those in SNI), got ${typeof servername === 'string' ? JSON.stringify(servername) : typeOf(servername)}`);
  }
  const rejectUnauthorized = tls['rejectUnauthorized'] ?? true;
  if (typeof rejectUnauthorized !== 'boolean') issues.add('tls.rejectUnauthorized', `expected a boolean, got ${typeOf(rejectUnauthorized)}`);
  if (issues.list.length > before) return undefined;
  // Parse everything now, so a broken certificate or a key of another certificate is a config
  // error at construction, not a handshake failure later (Node skips unreadable CA certificates).
  if (Array.isArray(tls['ca'])) ca!.forEach((pem, i) => certificates(pem, `tls.ca[${i}]`, issues));
  else if (ca !== undefined) certificates(ca[0]!, 'tls.ca', issues);
  if (cert !== undefined) matches(cert, key!, issues);
  if (issues.list.length > before) return undefined;
  return new TlsSettings({
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert, key }),
    ...(servername === undefined ? {} : { servername: servername as string }),
    rejectUnauthorized: rejectUnauthorized as boolean,
  });
}

function readCa(value: unknown, issues: Issues): (string | Buffer)[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) issues.add('tls.ca', 'expected PEM text or a non-empty list of PEM texts, got an empty list');
    return value.map((item: unknown, i) => readPem(item, `tls.ca[${i}]`, issues) ?? '');
  }
  const pem = readPem(value, 'tls.ca', issues);
  return pem === undefined ? undefined : [pem];
}

function readPem(value: unknown, path: string, issues: Issues): string | Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
    issues.add(path, `expected PEM text (a string or a Buffer), got ${typeOf(value)}`);
    return undefined;
  }
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (!text.includes('-----BEGIN ')) {
    issues.add(path, "expected PEM text starting with -----BEGIN (file paths are not read: pass the file's contents, e.g. readFileSync(path))");
    return undefined;
  }
  return value;
}

/** Reads every certificate of a PEM text; problems at `path`. */
function certificates(pem: string | Buffer, path: string, issues: Issues): X509Certificate[] {
  const blocks = String(pem).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) issues.add(path, 'expected a -----BEGIN CERTIFICATE----- block, found none');
  const read: X509Certificate[] = [];
  blocks.forEach((block, i) => {
    try {
      read.push(new X509Certificate(block));
    } catch (error) {
      // OpenSSL's reason names no secret.
      issues.add(path, `certificate ${i + 1} cannot be read: ${(error as Error).message}`);
    }
  });
  return read;
}

/** The key must be readable and belong to the (first) certificate. */
function matches(cert: string | Buffer, key: string | Buffer, issues: Issues): void {
  const [certificate] = certificates(cert, 'tls.cert', issues);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    issues.add('tls.key', `cannot be read (an unencrypted PEM private key is expected): ${(error as Error).message}`);
    return;
  }
  if (certificate && !certificate.checkPrivateKey(privateKey)) issues.add('tls.key', 'is not the private key of tls.cert');
}

/** The type of a value, never its content (it may be secret). */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : typeof value;
}

/** Node's error codes for a server certificate that does not verify. */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
]);

/**
 * When `cause` is a TLS handshake failure: what failed, and which option to check. Undefined for
 * other failures (refused, reset, timeout).
 */
export function tlsFailure(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  // OpenSSL's errors carry a short `reason` beside a long message with file and line.
  const short = (cause as { reason?: unknown }).reason;
  const reason = `${code} (${typeof short === 'string' ? short : (cause as Error).message.split('\n')[0]!.trim()})`;
  if (UNTRUSTED.has(code)) return `the server's certificate is not trusted: ${reason}; check tls.ca`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return `the server's certificate does not name this host: ${reason}; check tls.servername`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `no TLS server there: ${reason}; is the endpoint https:?`;
  if (/^ERR_SSL_.*ALERT/.test(code)) return `the server refused the handshake: ${reason}; check tls.cert and tls.key`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') return `TLS failed: ${reason}`;
  return undefined;
}
