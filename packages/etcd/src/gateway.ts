/**
 * A minimal client for etcd's v3 JSON gateway (grpc-gateway, served on the client port since
 * etcd 3.3; `/v3/...` paths since 3.4): POST a JSON body, get JSON back; streaming calls (watch)
 * answer with one JSON message per line.
 *
 * Why not a client library: the usual one, `etcd3` (1.1.2), is a gRPC client that pulls in
 * `@grpc/grpc-js`, `@grpc/proto-loader` (protobufjs), `bignumber.js` and `cockatiel` for the six
 * calls this package makes (range, put, watch, lease grant / keepalive / revoke). The gateway is
 * part of every etcd 3.4+ server, needs nothing but `node:http`, and keeps this package free of
 * runtime dependencies.
 * Its costs, a JSON/base64 encoding and one HTTP request per lease keepalive, are negligible at
 * registry traffic rates.
 *
 * Endpoints are tried in turn: a connection failure (or etcd's `Unavailable`) moves on to the
 * next one, so a cluster keeps working while one member is down.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Runtime } from '@datapunk/balancer';
import { EtcdError, EtcdErrorCodes, GrpcCodes, answerError } from './errors.js';
import { LineSplitter } from './ndjson.js';
import { streamErrorDetail, type StreamMessage } from './protocol.js';

/** TLS settings for `https:` endpoints (passed to Node's `https.Agent`). */
export interface EtcdTlsOptions {
  /** Certificate authorities to trust, PEM. Default: Node's bundled roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate, PEM (for etcd's `--client-cert-auth`). */
  readonly cert?: string | Buffer;
  /** Client private key, PEM. */
  readonly key?: string | Buffer;
}

export interface GatewayOptions {
  readonly endpoints: readonly URL[];
  readonly runtime: Runtime;
  /** Default per-request timeout, ms. */
  readonly requestTimeoutMs: number;
  readonly tls?: EtcdTlsOptions | undefined;
}

export interface CallOptions {
  /** Overrides the default timeout, ms. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Only this endpoint, no failover (a liveness check of the endpoint a watch uses). */
  readonly endpoint?: URL;
}

/** Largest unary response read, bytes. A range over a prefix holds every value under it. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Longest streamed message, characters. */
const MAX_STREAM_MESSAGE = 16 * 1024 * 1024;

export class Gateway {
  private current = 0;
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https: HttpsAgent;

  constructor(private readonly options: GatewayOptions) {
    const tls = options.tls;
    const ca = Array.isArray(tls?.ca) ? [...(tls.ca as readonly (string | Buffer)[])] : (tls?.ca as string | Buffer | undefined);
    this.https = new HttpsAgent({ keepAlive: true, ca, cert: tls?.cert, key: tls?.key });
  }

  /** The endpoint requests go to first (after failovers, the last one that worked). */
  get endpoint(): URL {
    return this.options.endpoints[this.current]!;
  }

  /**
   * POSTs `body` to `path` and resolves with the parsed JSON answer; tries every endpoint once,
   * starting with the current one, while the failure is the endpoint's (unreachable, timeout,
   * `Unavailable`). Rejects with an `EtcdError`.
   */
  async call<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    const payload = JSON.stringify(body);
    const tries = options.endpoint ? 1 : this.options.endpoints.length;
    let lastError: unknown;
    for (let i = 0; i < tries; i++) {
      const endpoint = options.endpoint ?? this.endpoint;
      try {
        return await this.callOnce<T>(endpoint, path, payload, options);
      } catch (error) {
        lastError = error;
        if (options.signal?.aborted || !isEndpointFailure(error)) throw error;
        if (!options.endpoint) this.failover(endpoint);
      }
    }
    throw lastError;
  }

  /**
   * Opens a streaming call on the current endpoint and hands every message to `onMessage`. The
   * returned promise never resolves: it rejects when the stream fails or ends (an `EtcdError`),
   * when `onMessage` throws (with that error), or when `signal` aborts. A failed endpoint is
   * left for the next one.
   */
  async stream(path: string, body: unknown, onMessage: (message: unknown) => void, signal: AbortSignal): Promise<never> {
    const endpoint = this.endpoint;
    try {
      const res = await this.open(endpoint, path, JSON.stringify(body), signal);
      if (res.statusCode !== 200) throw responseError(endpoint, res.statusCode, await readBody(res, endpoint));
      // The stream is background work: it must not keep the process alive.
      res.socket.unref();
      return await new Promise<never>((_, reject) => {
        const fail = (error: unknown): void => {
          res.destroy();
          reject(error);
        };
        const lines = new LineSplitter(MAX_STREAM_MESSAGE);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          try {
            for (const line of lines.push(chunk)) onMessage(parseJson(line, endpoint));
          } catch (error) {
            fail(error);
          }
        });
        res.on('end', () => fail(unavailable(endpoint, 'stream ended')));
        res.on('error', (error) => fail(signal.aborted ? signal.reason : unavailable(endpoint, 'stream failed', error)));
        res.on('close', () => fail(signal.aborted ? signal.reason : unavailable(endpoint, 'stream closed')));
      });
    } catch (error) {
      if (!signal.aborted && isEndpointFailure(error)) this.failover(endpoint);
      throw error;
    }
  }

  /** Destroys every pooled connection. Requests in flight fail. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }

  private failover(failed: URL): void {
    if (this.endpoint === failed) this.current = (this.current + 1) % this.options.endpoints.length;
  }

  private async callOnce<T>(endpoint: URL, path: string, payload: string, options: CallOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const controller = new AbortController();
    const timeout = new EtcdError(EtcdErrorCodes.UNAVAILABLE, `etcd ${endpoint.origin}${path} timed out after ${timeoutMs} ms`, {
      endpoint: endpoint.origin,
    });
    const timer = this.options.runtime.setTimeout(() => controller.abort(timeout), timeoutMs);
    const onAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.open(endpoint, path, payload, controller.signal);
      const text = await readBody(res, endpoint, controller.signal);
      if (res.statusCode !== 200) throw responseError(endpoint, res.statusCode, text);
      const json = parseJson(text, endpoint);
      // Streaming endpoints (lease keepalive) wrap the answer: {"result": ...} or {"error": ...}.
      const streamError = (json as StreamMessage<unknown>).error;
      if (typeof streamError === 'object' && streamError !== null) {
        const { message, grpcCode } = streamErrorDetail(streamError);
        throw answerError(`etcd ${endpoint.origin}${path}: ${message}`, grpcCode, endpoint.origin);
      }
      return json as T;
    } finally {
      timer.cancel();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Sends the request and resolves with the response once its headers arrive. */
  private open(endpoint: URL, path: string, payload: string, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const secure = endpoint.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const req = send(
        new URL(path, endpoint),
        {
          method: 'POST',
          agent: secure ? this.https : this.http,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          signal,
        },
        resolve,
      );
      req.on('error', (error) => reject(signal.aborted ? signal.reason : unavailable(endpoint, 'request failed', error)));
      req.end(payload);
    });
  }
}

/** Whether another endpoint might succeed where this one failed. */
function isEndpointFailure(error: unknown): boolean {
  if (!(error instanceof EtcdError)) return false;
  return error.code === EtcdErrorCodes.UNAVAILABLE || error.grpcCode === GrpcCodes.UNAVAILABLE;
}

function unavailable(endpoint: URL, what: string, cause?: unknown): EtcdError {
  const detail = cause === undefined ? '' : `: ${(cause as { code?: string }).code ?? (cause as Error).message}`;
  return new EtcdError(EtcdErrorCodes.UNAVAILABLE, `etcd ${endpoint.origin}: ${what}${detail}`, { endpoint: endpoint.origin, cause });
}

function readBody(res: IncomingMessage, endpoint: URL, signal?: AbortSignal): Promise<string> {
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

function parseJson(text: string, endpoint: URL): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EtcdError(EtcdErrorCodes.RESPONSE, `etcd ${endpoint.origin}: answer is not JSON: ${text.slice(0, 200)}`, {
      endpoint: endpoint.origin,
    });
  }
}

/** The gateway's error body: `{"error": "...", "message": "...", "code": 5}`. */
function responseError(endpoint: URL, status: number | undefined, text: string): EtcdError {
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
