/**
 * One HTTP exchange with one etcd endpoint: send a JSON POST, read the answer, and turn every way
 * it can fail into an `EtcdError` that names the endpoint (an origin: never userinfo) and the
 * cause: unreachable, TLS handshake, an error answer, garbage.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { EtcdError, EtcdErrorCodes, answerError } from './errors.js';
import { tlsFailure, type TlsSettings } from './tls.js';

/** Largest unary response read, bytes. A range over a prefix holds every value under it. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Pooled connections for plain and TLS endpoints; the TLS material stays in private fields. */
export class Transport {
  readonly #http = new HttpAgent({ keepAlive: true });
  readonly #https: HttpsAgent;

  constructor(tls: TlsSettings | undefined) {
    this.#https = new HttpsAgent({ keepAlive: true, ...tls?.agentOptions() });
  }

  /** Sends the request and resolves with the response once its headers arrive. */
  open(endpoint: URL, path: string, payload: string, token: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const secure = endpoint.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      if (token !== undefined) headers['authorization'] = token;
      const req = send(new URL(path, endpoint), { method: 'POST', agent: secure ? this.#https : this.#http, headers, signal }, resolve);
      req.on('error', (error) => reject(signal.aborted ? signal.reason : unavailable(endpoint, 'request failed', error)));
      req.end(payload);
    });
  }

  /** Destroys every pooled connection. Requests in flight fail. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Transport';
  }
}

/**
 * The endpoint failed: `ERR_ETCD_TLS` when the cause is a TLS handshake failure (with what to
 * check), else `ERR_ETCD_UNAVAILABLE` with the cause's code.
 */
export function unavailable(endpoint: URL, what: string, cause?: unknown): EtcdError {
  const tls = cause === undefined ? undefined : tlsFailure(cause);
  if (tls !== undefined) return new EtcdError(EtcdErrorCodes.TLS, `etcd ${endpoint.origin}: TLS handshake failed: ${tls}`, { endpoint: endpoint.origin, cause });
  const detail = cause === undefined ? '' : `: ${(cause as { code?: string }).code ?? (cause as Error).message}`;
  return new EtcdError(EtcdErrorCodes.UNAVAILABLE, `etcd ${endpoint.origin}: ${what}${detail}`, { endpoint: endpoint.origin, cause });
}

export function readBody(res: IncomingMessage, endpoint: URL, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        const message = `etcd ${endpoint.origin}: response larger than ${MAX_RESPONSE_BYTES} bytes`;
        reject(new EtcdError(EtcdErrorCodes.RESPONSE, message, { endpoint: endpoint.origin }));
      } else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    const failed = (error?: unknown): void => reject(signal?.aborted ? signal.reason : unavailable(endpoint, 'response failed', error));
    res.on('error', failed);
    // An abort may only close the response, without an 'error'.
    res.on('close', () => {
      if (!res.complete) failed();
    });
  });
}

export function parseJson(text: string, endpoint: URL): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EtcdError(EtcdErrorCodes.RESPONSE, `etcd ${endpoint.origin}: answer is not JSON: ${text.slice(0, 200)}`, {
      endpoint: endpoint.origin,
    });
  }
}

/** etcd 3.4's gateway, refusing a client certificate with a CN while auth is enabled (plain text, 400). */
const CN_REFUSED = 'CommonName of client sending a request against gateway';

/** The gateway's error body: `{"error": "...", "message": "...", "code": 5}`. */
export function responseError(endpoint: URL, status: number | undefined, text: string): EtcdError {
  if (status === 400 && text.includes(CN_REFUSED)) {
    const message =
      `etcd ${endpoint.origin} refuses the client certificate: with auth enabled, its JSON gateway refuses certificates ` +
      'that have a common name; issue tls.cert without a CN (names in subjectAltName only)';
    return new EtcdError(EtcdErrorCodes.TLS, message, { endpoint: endpoint.origin });
  }
  let message = text.slice(0, 200);
  let grpcCode: number | undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown; code?: unknown };
    if (typeof body.message === 'string') message = body.message;
    if (typeof body.code === 'number') grpcCode = body.code;
  } catch {
    // not JSON: keep the raw text
  }
  const summary = `etcd ${endpoint.origin} answered ${status ?? 'no status'}: ${message}`;
  if (status === 503) return new EtcdError(EtcdErrorCodes.UNAVAILABLE, summary, { grpcCode, endpoint: endpoint.origin });
  return answerError(summary, grpcCode, endpoint.origin);
}
