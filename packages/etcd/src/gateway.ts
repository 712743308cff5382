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
 * Endpoints are tried in turn: a connection failure, a TLS handshake failure (or etcd's
 * `Unavailable`) moves on to the next one, so a cluster keeps working while one member is down.
 * With credentials, every call carries the session's token and is retried once with a fresh one
 * when etcd rejects it (see `auth.ts`).
 */
import type { Logger } from '@datapunk/balancer';
import type { Runtime } from '@datapunk/balancer/adapter';
import { AuthSession, type AuthReason, type Credentials } from './auth.js';
import { EtcdError, EtcdErrorCodes, GrpcCodes, answerError } from './errors.js';
import { LineSplitter } from './ndjson.js';
import { streamErrorDetail, type StreamMessage } from './protocol.js';
import type { TlsSettings } from './tls.js';
import { Transport, parseJson, readBody, responseError, unavailable } from './transport.js';

export interface GatewayOptions {
  readonly endpoints: readonly URL[];
  readonly runtime: Runtime;
  /** Default per-request timeout, ms. */
  readonly requestTimeoutMs: number;
  readonly tls: TlsSettings | undefined;
  readonly auth: Credentials | undefined;
  readonly logger: Logger;
}

export interface CallOptions {
  /** Overrides the default timeout, ms. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Only this endpoint, no failover (a liveness check of the endpoint a watch uses). */
  readonly endpoint?: URL;
}

/** Longest streamed message, characters. */
const MAX_STREAM_MESSAGE = 16 * 1024 * 1024;

export class Gateway {
  private current = 0;
  readonly #transport: Transport;
  readonly #session: AuthSession | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.#transport = new Transport(options.tls);
    const auth = options.auth;
    if (auth) this.#session = new AuthSession(() => this.authenticate(auth), (reason, enabled) => this.authenticated(auth, reason, enabled));
  }

  /** The endpoint requests go to first (after failovers, the last one that worked). */
  get endpoint(): URL {
    return this.options.endpoints[this.current]!;
  }

  /**
   * POSTs `body` to `path` and resolves with the parsed JSON answer; tries every endpoint once,
   * starting with the current one, while the failure is the endpoint's (unreachable, timeout,
   * TLS, `Unavailable`). Rejects with an `EtcdError`.
   */
  call<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    const payload = JSON.stringify(body);
    if (!this.#session) return this.callAnywhere<T>(path, payload, options, undefined);
    return this.#session.run((token) => this.callAnywhere<T>(path, payload, options, token));
  }

  /**
   * Opens a streaming call on the current endpoint and hands every message to `onMessage`. The
   * returned promise never resolves: it rejects when the stream fails or ends (an `EtcdError`),
   * when `onMessage` throws (with that error), or when `signal` aborts. A failed endpoint is
   * left for the next one. When `onMessage` throws an error saying the token was rejected (a
   * watch cancelled as `Unauthenticated`), the stream is opened once more with a fresh token.
   */
  stream(path: string, body: unknown, onMessage: (message: unknown) => void, signal: AbortSignal): Promise<never> {
    const payload = JSON.stringify(body);
    if (!this.#session) return this.streamOnce(path, payload, onMessage, signal, undefined);
    return this.#session.run((token) => this.streamOnce(path, payload, onMessage, signal, token));
  }

  /** Destroys every pooled connection. Requests in flight fail. */
  close(): void {
    this.#transport.close();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Gateway { endpoint: ${this.endpoint.origin} }`;
  }

  private async callAnywhere<T>(path: string, payload: string, options: CallOptions, token: string | undefined): Promise<T> {
    const tries = options.endpoint ? 1 : this.options.endpoints.length;
    let lastError: unknown;
    for (let i = 0; i < tries; i++) {
      const endpoint = options.endpoint ?? this.endpoint;
      try {
        return await this.callOnce<T>(endpoint, path, payload, token, options);
      } catch (error) {
        lastError = error;
        if (options.signal?.aborted || !isEndpointFailure(error)) throw error;
        if (!options.endpoint) this.failover(endpoint);
      }
    }
    throw lastError;
  }

  private async streamOnce(
    path: string,
    payload: string,
    onMessage: (message: unknown) => void,
    signal: AbortSignal,
    token: string | undefined,
  ): Promise<never> {
    const endpoint = this.endpoint;
    try {
      const res = await this.#transport.open(endpoint, path, payload, token, signal);
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

  /**
   * Fetches a token (any endpoint); undefined when etcd has auth off. A refusal is
   * `ERR_ETCD_AUTH` naming the user and the endpoint, never the password.
   */
  private async authenticate(auth: Credentials): Promise<string | undefined> {
    let answer: { token?: unknown };
    try {
      answer = await this.callAnywhere('/v3/auth/authenticate', auth.authenticateBody(), {}, undefined);
    } catch (error) {
      if (!(error instanceof EtcdError) || error.code === EtcdErrorCodes.UNAVAILABLE || error.code === EtcdErrorCodes.TLS) throw error;
      if (error.grpcCode === GrpcCodes.FAILED_PRECONDITION && error.message.includes('authentication is not enabled')) return undefined;
      throw new EtcdError(EtcdErrorCodes.AUTH, `authentication as user "${auth.username}" failed: ${error.message}`, {
        grpcCode: error.grpcCode,
        endpoint: error.endpoint,
        cause: error,
      });
    }
    if (typeof answer.token === 'string' && answer.token !== '') return answer.token;
    const endpoint = this.endpoint.origin;
    throw new EtcdError(EtcdErrorCodes.AUTH, `etcd ${endpoint}: authentication as user "${auth.username}" answered no token`, { endpoint });
  }

  private authenticated(auth: Credentials, reason: AuthReason, enabled: boolean): void {
    const fields = { event: 'etcd-authenticated', user: auth.username, reason, authEnabled: enabled };
    if (enabled) this.options.logger.debug(fields, `authenticated to etcd as ${auth.username} (${reason})`);
    else this.options.logger.info(fields, `etcd has auth disabled; calling without a token until it asks for one`);
  }

  private failover(failed: URL): void {
    if (this.endpoint === failed) this.current = (this.current + 1) % this.options.endpoints.length;
  }

  private async callOnce<T>(endpoint: URL, path: string, payload: string, token: string | undefined, options: CallOptions): Promise<T> {
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
      const res = await this.#transport.open(endpoint, path, payload, token, controller.signal);
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
}

/** Whether another endpoint might succeed where this one failed. */
function isEndpointFailure(error: unknown): boolean {
  if (!(error instanceof EtcdError)) return false;
  return error.code === EtcdErrorCodes.UNAVAILABLE || error.code === EtcdErrorCodes.TLS || error.grpcCode === GrpcCodes.UNAVAILABLE;
}
