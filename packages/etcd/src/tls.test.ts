/**
 * The tls option's validation (every problem with its path, PEM parsed by OpenSSL at
 * construction, key material never echoed) and the naming of handshake failures.
 */
import { inspect } from 'node:util';
import { createTestPki, type TestPki } from '@datapunk/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { etcdDiscovery } from './discovery.js';
import { EtcdConfigError } from './errors.js';
import { Issues } from './options.js';
import { resolveTls, tlsFailure } from './tls.js';

const HTTPS = [new URL('https://127.0.0.1:2379')];

function problems(value: unknown, endpoints = HTTPS): string[] {
  const issues = new Issues();
  const settings = resolveTls(value, endpoints, issues);
  if (issues.list.length === 0) throw new Error(`expected problems, got ${inspect(settings)}`);
  return issues.list.map((i) => `${i.path}: ${i.message}`);
}

describe('tls option', () => {
  let pki: TestPki;
  let other: TestPki;
  beforeAll(async () => {
    [pki, other] = await Promise.all([createTestPki(), createTestPki()]);
  });

  it('accepts PEM strings and Buffers, a CA list, a server name, and keeps the key out of inspect and JSON', () => {
    const issues = new Issues();
    const settings = resolveTls(
      { ca: [pki.ca, Buffer.from(other.ca)], cert: Buffer.from(pki.client.cert), key: pki.client.key, servername: 'etcd.test' },
      HTTPS,
      issues,
    );
    expect(issues.list).toEqual([]);
    expect(settings?.verified).toBe(true);
    expect(settings?.agentOptions()).toMatchObject({ servername: 'etcd.test', rejectUnauthorized: true, key: pki.client.key });
    const keyLine = pki.client.key.split('\n')[1]!;
    expect(inspect(settings, { depth: 10 })).not.toContain(keyLine);
    expect(JSON.stringify(settings)).not.toContain(keyLine);
  });

  it('names every problem by its path, without echoing what was given', () => {
    expect(
      problems({ ca: '/etc/ssl/etcd-ca.pem', cert: pki.client.cert, servername: '10.0.0.1', rejectUnauthorized: 'no', verify: true }),
    ).toEqual([
      'tls.verify: unknown option (known: ca, cert, key, servername, rejectUnauthorized)',
      "tls.ca: expected PEM text starting with -----BEGIN (file paths are not read: pass the file's contents, e.g. readFileSync(path))",
      'tls.servername: expected a DNS name (not an IP address: TLS forbids those in SNI), got "10.0.0.1"',
      'tls.rejectUnauthorized: expected a boolean, got a string',
    ]);
    expect(problems({ key: 'secret-not-pem' }).join('\n')).not.toContain('secret-not-pem');
    expect(problems({ cert: pki.client.cert })).toEqual(['tls.key: tls.cert and tls.key go together: set both or neither']);
    expect(problems({ ca: [] })).toEqual(['tls.ca: expected PEM text or a non-empty list of PEM texts, got an empty list']);
    expect(problems('ca.pem')).toEqual(['tls: expected an object { ca?, cert?, key?, servername?, rejectUnauthorized? }']);
  });

  it('reads the PEM at construction: a broken CA, a key that is not a certificate, a key of another certificate', () => {
    const broken = pki.ca.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(problems({ ca: broken })).toEqual([expect.stringMatching(/^tls\.ca: certificate 1 cannot be read: /)]);
    expect(problems({ ca: [pki.ca, pki.client.key] })).toEqual(['tls.ca[1]: expected a -----BEGIN CERTIFICATE----- block, found none']);
    const mismatch = problems({ cert: pki.client.cert, key: other.client.key });
    expect(mismatch).toEqual(['tls.key: is not the private key of tls.cert']);
    const unreadable = problems({ cert: pki.client.cert, key: pki.client.key.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!') });
    expect(unreadable).toEqual([expect.stringMatching(/^tls\.key: cannot be read/)]);
    expect(mismatch.join('\n')).not.toContain(other.client.key.split('\n')[1]!);
  });

  it('is an error when no endpoint is https:', () => {
    expect(problems({ ca: pki.ca }, [new URL('http://127.0.0.1:2379')])).toEqual([
      'tls: set, but no endpoint is https: (use https:// endpoints, or leave tls out)',
    ]);
  });

  it('is checked by etcdDiscovery with the other options', () => {
    expect(() => etcdDiscovery({ endpoints: 'https://127.0.0.1:2379', service: 'orders', tls: { ca: 'nope' } })).toThrow(EtcdConfigError);
  });
});

describe('tlsFailure', () => {
  const failure = (code: string, message = 'detail'): string | undefined => tlsFailure(Object.assign(new Error(message), { code }));

  it('says what failed and which option to check', () => {
    expect(failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')).toBe(
      "the server's certificate is not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE (unable to verify the first certificate); check tls.ca",
    );
    expect(failure('DEPTH_ZERO_SELF_SIGNED_CERT')).toMatch(/not trusted.*check tls\.ca$/);
    expect(failure('CERT_HAS_EXPIRED')).toMatch(/not trusted/);
    expect(failure('ERR_TLS_CERT_ALTNAME_INVALID')).toMatch(/does not name this host.*check tls\.servername$/);
    expect(failure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toMatch(/refused the handshake.*check tls\.cert and tls\.key$/);
    expect(failure('ERR_SSL_WRONG_VERSION_NUMBER')).toMatch(/no TLS server there/);
    const openssl = Object.assign(new Error('80FC0B:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:rec_layer_s3.c:1601\n'), {
      code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      reason: 'sslv3 alert bad certificate',
    });
    expect(tlsFailure(openssl)).toBe(
      'the server refused the handshake: ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE (sslv3 alert bad certificate); check tls.cert and tls.key',
    );
    expect(failure('EPROTO')).toMatch(/^TLS failed/);
  });

  it('is undefined for failures that are not TLS', () => {
    expect(failure('ECONNREFUSED')).toBeUndefined();
    expect(failure('ECONNRESET')).toBeUndefined();
    expect(tlsFailure(new Error('no code'))).toBeUndefined();
    expect(tlsFailure(undefined)).toBeUndefined();
  });
});
