import { latencyProblems, sampleLatency, type LatencySpec } from './latency.js';
import type { RandomSource } from './random.js';

/** How a server answers its health path. Independent of the main {@link Behavior}. */
export interface HealthBehavior {
  /** Status of health responses. Default 200. */
  readonly status: number;
  /** Accept health requests and never answer them. Default false. */
  readonly hang: boolean;
  /** Delay before the health response headers, in milliseconds (or a distribution). Default 0. */
  readonly latencyMs: LatencySpec;
  /**
   * Size of the health response body in bytes, streamed in chunks (filler bytes, content-type
   * `application/octet-stream`). Default undefined: a small JSON body `{ server, status }`.
   */
  readonly bodyBytes: number | undefined;
  /** When set, answer `302 Found` with this `Location` header instead. Default undefined. */
  readonly redirectTo: string | undefined;
  /** Destroy the connection (TCP reset) without answering. Default false. */
  readonly resetConnection: boolean;
}

/**
 * How a server answers every request that is not for its health path.
 * Read once when a request arrives, so changes apply to new requests only.
 * Random decisions are drawn in this order: reset, error, latency, stall.
 */
export interface Behavior {
  /** Delay before the response headers, in milliseconds (or a distribution). Applies to injected errors too. Default 0. */
  readonly latencyMs: LatencySpec;
  /** Extra fixed delay before the response headers, in milliseconds, for header-timeout tests. Default 0. */
  readonly slowHeadersMs: number;
  /**
   * Share of requests (0..1), chosen at random, that wait `stallMs` before being served (holding
   * no worker of the server's `capacity`): a tail that is no instance's fault (a lost packet, a pause). Default 0.
   */
  readonly stallRate: number;
  /** The extra wait of a stalled request, ms. Default 1,000. */
  readonly stallMs: number;
  /** Delay between sending the headers (at once) and sending the body, in milliseconds. Default 0. */
  readonly slowBodyMs: number;
  /** Share of requests (0..1) answered with `errorStatus` instead of the normal response. Default 0. */
  readonly errorRate: number;
  /** Status of injected errors. Default 503. */
  readonly errorStatus: number;
  /** `Retry-After` header value sent with injected errors (e.g. `'2'`). Default undefined: not sent. */
  readonly retryAfter: string | undefined;
  /** Share of requests (0..1) whose connection is reset (TCP RST) without any response. Default 0. */
  readonly resetRate: number;
  /** Accept requests and never answer; the sockets are released by `close()` or `crash()`. Default false. */
  readonly hang: boolean;
  /** Status of normal responses. Default 200. */
  readonly status: number;
  /**
   * Size of normal response bodies in bytes, streamed in chunks (filler bytes, content-type
   * `application/octet-stream`). Default undefined: the JSON echo of the request.
   */
  readonly bodyBytes: number | undefined;
  /** How the health path answers. */
  readonly health: HealthBehavior;
}

/** Changes to a {@link HealthBehavior}; a key given as `undefined` restores its default. */
export type HealthBehaviorOptions = { -readonly [K in keyof HealthBehavior]?: HealthBehavior[K] };

/** Changes to a {@link Behavior}; a key given as `undefined` restores its default. `health` merges field by field. */
export type BehaviorOptions = { -readonly [K in Exclude<keyof Behavior, 'health'>]?: Behavior[K] } & {
  health?: HealthBehaviorOptions;
};

/** The behaviour of a healthy, fast server: 200 JSON echo at once, health 200. */
export const DEFAULT_BEHAVIOR: Behavior = Object.freeze({
  latencyMs: 0,
  slowHeadersMs: 0,
  stallRate: 0,
  stallMs: 1_000,
  slowBodyMs: 0,
  errorRate: 0,
  errorStatus: 503,
  retryAfter: undefined,
  resetRate: 0,
  hang: false,
  status: 200,
  bodyBytes: undefined,
  health: Object.freeze({
    status: 200,
    hang: false,
    latencyMs: 0,
    bodyBytes: undefined,
    redirectTo: undefined,
    resetConnection: false,
  }),
});

/**
 * Applies `patch` to `current` and returns the new frozen behaviour.
 * Throws a RangeError listing every invalid field with its path.
 */
export function mergeBehavior(current: Behavior, patch: BehaviorOptions = {}): Behavior {
  const m = { ...current, ...patch };
  const d = DEFAULT_BEHAVIOR;
  const baseHealth = 'health' in patch && patch.health === undefined ? d.health : current.health;
  const h = { ...baseHealth, ...patch.health };
  const next: Behavior = {
    latencyMs: copyLatency(m.latencyMs ?? d.latencyMs),
    slowHeadersMs: m.slowHeadersMs ?? d.slowHeadersMs,
    stallRate: m.stallRate ?? d.stallRate,
    stallMs: m.stallMs ?? d.stallMs,
    slowBodyMs: m.slowBodyMs ?? d.slowBodyMs,
    errorRate: m.errorRate ?? d.errorRate,
    errorStatus: m.errorStatus ?? d.errorStatus,
    retryAfter: m.retryAfter,
    resetRate: m.resetRate ?? d.resetRate,
    hang: m.hang ?? d.hang,
    status: m.status ?? d.status,
    bodyBytes: m.bodyBytes,
    health: Object.freeze({
      status: h.status ?? d.health.status,
      hang: h.hang ?? d.health.hang,
      latencyMs: copyLatency(h.latencyMs ?? d.health.latencyMs),
      bodyBytes: h.bodyBytes,
      redirectTo: h.redirectTo,
      resetConnection: h.resetConnection ?? d.health.resetConnection,
    }),
  };
  const problems = behaviorProblems(next);
  if (problems.length > 0) throw new RangeError(`invalid testkit behavior:\n  ${problems.join('\n  ')}`);
  return Object.freeze(next);
}

function copyLatency(spec: LatencySpec): LatencySpec {
  return typeof spec === 'object' && spec !== null ? Object.freeze({ ...spec }) : spec;
}

function behaviorProblems(b: Behavior): string[] {
  const problems = [
    ...latencyProblems(b.latencyMs, 'latencyMs'),
    ...latencyProblems(b.health.latencyMs, 'health.latencyMs'),
  ];
  const check = (ok: boolean, path: string, expected: string, value: unknown): void => {
    if (!ok) problems.push(`${path}: expected ${expected}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  };
  const ms = (v: number): boolean => Number.isFinite(v) && v >= 0;
  const rate = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;
  const status = (v: number): boolean => Number.isInteger(v) && v >= 200 && v <= 599;
  const bytes = (v: number | undefined): boolean => v === undefined || (Number.isSafeInteger(v) && v >= 0);
  check(ms(b.slowHeadersMs), 'slowHeadersMs', 'milliseconds >= 0', b.slowHeadersMs);
  check(rate(b.stallRate), 'stallRate', 'a number in [0, 1]', b.stallRate);
  check(ms(b.stallMs), 'stallMs', 'milliseconds >= 0', b.stallMs);
  check(ms(b.slowBodyMs), 'slowBodyMs', 'milliseconds >= 0', b.slowBodyMs);
  check(rate(b.errorRate), 'errorRate', 'a number in [0, 1]', b.errorRate);
  check(rate(b.resetRate), 'resetRate', 'a number in [0, 1]', b.resetRate);
  check(status(b.errorStatus), 'errorStatus', 'an HTTP status in [200, 599]', b.errorStatus);
  check(status(b.status), 'status', 'an HTTP status in [200, 599]', b.status);
  check(status(b.health.status), 'health.status', 'an HTTP status in [200, 599]', b.health.status);
  check(bytes(b.bodyBytes), 'bodyBytes', 'an integer >= 0', b.bodyBytes);
  check(bytes(b.health.bodyBytes), 'health.bodyBytes', 'an integer >= 0', b.health.bodyBytes);
  check(typeof b.hang === 'boolean', 'hang', 'a boolean', b.hang);
  check(typeof b.health.hang === 'boolean', 'health.hang', 'a boolean', b.health.hang);
  check(typeof b.health.resetConnection === 'boolean', 'health.resetConnection', 'a boolean', b.health.resetConnection);
  check(b.retryAfter === undefined || typeof b.retryAfter === 'string', 'retryAfter', 'a string', b.retryAfter);
  check(
    b.health.redirectTo === undefined || typeof b.health.redirectTo === 'string',
    'health.redirectTo',
    'a string',
    b.health.redirectTo,
  );
  return problems;
}

/** What to send: the request echo, an injected error, the health body, a redirect, or N filler bytes. */
export type BodyPlan =
  | { readonly kind: 'echo' }
  | { readonly kind: 'error' }
  | { readonly kind: 'health' }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'bytes'; readonly bytes: number };

/** The decision for one request, made once when its body has been read. */
export type ResponsePlan =
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | {
      readonly kind: 'respond';
      readonly status: number;
      /** A stall before the request is served (it holds no worker), ms; absent or 0: none. */
      readonly stallMs?: number;
      /** Delay before writing the headers, in milliseconds. */
      readonly headersDelayMs: number;
      /** Delay between the headers and the body, in milliseconds. */
      readonly bodyDelayMs: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: BodyPlan;
    };

/** Decides how to answer a normal request. Draws from `random` only for non-zero rates and distributions. */
export function planRequest(b: Behavior, random: RandomSource): ResponsePlan {
  if (b.hang) return { kind: 'hang' };
  if (b.resetRate > 0 && random() < b.resetRate) return { kind: 'reset' };
  const failed = b.errorRate > 0 && random() < b.errorRate;
  const headersDelayMs = sampleLatency(b.latencyMs, random) + b.slowHeadersMs;
  const stall = b.stallRate > 0 && random() < b.stallRate ? { stallMs: b.stallMs } : undefined;
  if (failed) {
    const headers: Record<string, string> = b.retryAfter === undefined ? {} : { 'retry-after': b.retryAfter };
    return { kind: 'respond', status: b.errorStatus, ...stall, headersDelayMs, bodyDelayMs: 0, headers, body: { kind: 'error' } };
  }
  const body: BodyPlan = b.bodyBytes === undefined ? { kind: 'echo' } : { kind: 'bytes', bytes: b.bodyBytes };
  return { kind: 'respond', status: b.status, ...stall, headersDelayMs, bodyDelayMs: b.slowBodyMs, headers: {}, body };
}

/** Decides how to answer a health request. */
export function planHealth(h: HealthBehavior, random: RandomSource): ResponsePlan {
  if (h.hang) return { kind: 'hang' };
  if (h.resetConnection) return { kind: 'reset' };
  const headersDelayMs = sampleLatency(h.latencyMs, random);
  if (h.redirectTo !== undefined) {
    const body: BodyPlan = { kind: 'redirect', location: h.redirectTo };
    return { kind: 'respond', status: 302, headersDelayMs, bodyDelayMs: 0, headers: { location: h.redirectTo }, body };
  }
  const body: BodyPlan = h.bodyBytes === undefined ? { kind: 'health' } : { kind: 'bytes', bytes: h.bodyBytes };
  return { kind: 'respond', status: h.status, headersDelayMs, bodyDelayMs: 0, headers: {}, body };
}
