/**
 * The client driver interface: what the shared scenario table needs from each HTTP client
 * (axios, got, undici request/fetch, Node's global fetch) wrapped with the balancer. Each
 * adapter's driver lives in `test/drivers/<client>.ts`; the scenarios in
 * `test/scenarios/table.ts` run unchanged through every driver.
 */
import type { Balancer, RequestOverrides } from '@datapunk/balancer';
import type { Readable } from 'node:stream';

export interface DriverRequest {
  readonly method: string;
  /** Absolute URL: a logical one (`http://orders/echo?x=1`) or a direct one. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body: text, or a one-shot stream (not replayable). */
  readonly body?: string | Readable;
  /** The caller's own abort signal. */
  readonly signal?: AbortSignal;
  /**
   * When set, the response body is read in pieces and the request aborted (through `signal`)
   * once the first chunk arrived: "abort during the body".
   */
  readonly abortDuringBody?: AbortController;
  /**
   * Per-request overrides, carried in the client's own idiom: axios `config.balancer`, got
   * `context.balancer`, undici's `balancer` dispatch option, the `datapunk-balancer` header for
   * fetch, `CallRequest.overrides` for the core driver. Typed loosely so that rows can send
   * invalid ones.
   */
  readonly overrides?: RequestOverrides | Record<string, unknown>;
}

export interface DriverResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole response body as text. */
  readonly body: string;
}

/** A client wrapped with a balancer, ready to send requests. */
export interface BalancedClient {
  /** Resolves for any HTTP status (no throwing on 4xx/5xx); rejects on transport errors and aborts. */
  request(request: DriverRequest): Promise<DriverResponse>;
  /** Frees the client's own resources (agents, pools). */
  close(): Promise<void>;
}

export interface ClientDriver {
  /** e.g. `axios`, `got`, `undici.request`, `undici.fetch`, `global fetch`. */
  readonly name: string;
  /** Wraps a fresh client instance with `balancer`. */
  create(balancer: Balancer): BalancedClient;
  /**
   * False for a driver that does not launch the core's hedges (`call.hedge()`): the rows that
   * need a hedge are skipped for it. Every adapter launches them. Default true.
   */
  readonly hedges?: boolean;
}

const BRAND = Symbol.for('@datapunk/balancer/error');

/**
 * The balancer error code carried by an error a client threw, looking through the client's own
 * wrapping (`cause`, axios's `cause`, got's `cause`, fetch's `TypeError` cause). Undefined when
 * none is found.
 */
export function balancerErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if ((current as Record<symbol, unknown>)[BRAND] === true && typeof code === 'string') return code;
    if (code === 'ERR_NO_AVAILABLE_INSTANCE' || code === 'ERR_CIRCUIT_OPEN') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
