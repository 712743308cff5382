/**
 * The balanced adapter: wraps axios's own adapter and turns one logical request into one or more
 * attempts, each sent by the original adapter to the instance the core picked.
 *
 * Why the adapter and not interceptors: interceptors run once per logical request, before the
 * cancellation check, and a throwing interceptor or an early cancel skips the response side, so
 * in-flight counts kept there leak; and a retry through `instance.request()` would run every
 * interceptor again. The adapter runs once per real dispatch, after the cancellation check, with
 * `data` already transformed: the exact place to pick, count, report and retry.
 *
 * The core decides everything (instance, failure or not, retry or not, backoff); this file only
 * translates axios's results into `attempt.end()` / `attempt.headers()` and obeys the decision.
 */
import type { AttemptTimeoutError, Balancer } from '@datapunk/balancer';
import { isOtherAttempt, type Attempt, type Call, type CallRequest, type RetryDecision } from '@datapunk/balancer/adapter';
import axios, {
  type AxiosAdapter,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { AxiosModule } from './axios-module.js';
import { CallerCancellation } from './caller-cancellation.js';
import type { Readable } from 'node:stream';
import { balancerError } from './errors.js';
import { headerText } from './headers.js';
import { AttemptAbort } from './attempt-abort.js';
import type { HeadListener } from './head-transport.js';
import { nextHop, redirectLimit, type Hop } from './redirects.js';
import { withBodyFate } from './request-body.js';
import { OVERRIDES_FIELD } from './request-config.js';
import { noticeOuterRetry } from './stacked-retry.js';
import { streamedBody, whenBodyEnds } from './response-body.js';
import { logicalUrl } from './target.js';
import { attemptConfig } from './attempt-config.js';
import { axiosHeader, errorFacts, finish, responseFacts, responseOfSettled, settle, type Settled } from './settled.js';

/** What a request's `adapter` option may hold: a name, a function, or a priority list of them. */
export type AdapterOption = AxiosRequestConfig['adapter'];

/** Builds the logical URL of a request, like `axiosInstance.getUri`. */
export type GetUri = (config: InternalAxiosRequestConfig) => string;

const BALANCED = Symbol.for('@datapunk/balancer-axios/adapter');

/** True when `adapter` is already a balanced adapter (so it is not wrapped twice). */
export function isBalancedAdapter(adapter: unknown): adapter is AxiosAdapter {
  return typeof adapter === 'function' && (adapter as unknown as Record<symbol, unknown>)[BALANCED] === true;
}

/**
 * Wraps `original` (what `config.adapter` held; axios's default when undefined). Requests whose
 * logical host is not a service of `balancer` go to the original adapter untouched. `lib` is the
 * caller's copy of axios (`axiosModuleOf`): attempts go through its adapters, errors are its own.
 */
export function balancedAdapter(original: AdapterOption, balancer: Balancer, getUri: GetUri, lib: AxiosModule = axios): AxiosAdapter {
  const adapter: AxiosAdapter = (config) => {
    const send = lib.getAdapter(original ?? lib.defaults.adapter, config);
    const url = logicalUrl(config, getUri);
    const call = url && balancer.call(callRequest(config, url));
    if (!call) return send(config);
    noticeOuterRetry(config, balancer);
    return sendBalanced(call, url, config, { send, reportsHead: send === httpAdapter(lib), lib }, balancer);
  };
  Object.defineProperty(adapter, BALANCED, { value: true });
  return adapter;
}

function callRequest(config: InternalAxiosRequestConfig, url: URL): CallRequest {
  const request: CallRequest = {
    method: config.method ?? 'get',
    url,
    header: (name) => headerText(config.headers, name),
    body: config.data,
  };
  return config.balancer === undefined ? request : { ...request, overrides: config.balancer, overridesFrom: OVERRIDES_FIELD };
}

/** axios's own http adapter (of each copy of axios): the one that takes a `transport` (see `head-transport.ts`). */
const httpAdapters = new WeakMap<AxiosModule, AxiosAdapter | null>();
function httpAdapter(lib: AxiosModule): AxiosAdapter | undefined {
  let http = httpAdapters.get(lib);
  if (http === undefined) {
    try {
      http = lib.getAdapter('http');
    } catch {
      http = null; // not in this environment (axios's browser build)
    }
    httpAdapters.set(lib, http);
  }
  return http ?? undefined;
}

/** The adapter that sends attempts, and whether it reports the response head (`transport`). */
interface Sender {
  readonly send: AxiosAdapter;
  readonly reportsHead: boolean;
  /** The caller's copy of axios (see `axios-module.ts`): errors and headers are built with it. */
  readonly lib: AxiosModule;
}

/** The accepted attempt of a call: how it settled, and its streamed body if still being read. */
interface Accepted {
  readonly settled: Settled;
  readonly timedOut: AttemptTimeoutError | undefined;
  /** A streamed body (`responseType: 'stream'`): the attempt stays open until it ends. */
  readonly open?: { readonly attempt: Attempt; readonly body: Readable; readonly unfollow: () => void };
}

/**
 * One logical request: the call's attempts, then each redirect hop the caller's `maxRedirects`
 * allows (see `redirects.ts`), under one caller cancellation (signal, cancel token and timeout)
 * for the whole of it.
 */
async function sendBalanced(first: Call, url: URL, config: InternalAxiosRequestConfig, sender: Sender, balancer: Balancer): Promise<AxiosResponse> {
  const caller = new CallerCancellation(config, balancer.runtime, sender.lib);
  let bodyHandedOver = false;
  const limit = redirectLimit(config);
  try {
    let call = first;
    let hop: Hop = { url, config };
    for (let hops = 0; ; hops++) {
      // axios's transport must not follow redirects itself: each hop is the balancer's to route.
      const accepted = await attempts(call, hop.config, limit > 0, sender, caller);
      const response = responseOfSettled(accepted.settled);
      const next = hops < limit && response ? nextHop(hop.config, hop.url, response, sender.lib) : undefined;
      if (!next) {
        if (accepted.open) {
          bodyHandedOver = true;
          handOver(accepted.open, caller);
        }
        return finish(accepted.settled, config, caller, accepted.timedOut, sender.lib);
      }
      if (accepted.open) discard(accepted.open);
      const nextCall = balancer.call(callRequest(next.config, next.url));
      // Not a service: axios's own adapter sends it and follows what remains of the chain.
      if (!nextCall) return await sender.send({ ...next.config, maxRedirects: limit - hops - 1, signal: caller.signal, timeout: 0, cancelToken: undefined });
      call = nextCall;
      hop = next;
    }
  } finally {
    if (!bodyHandedOver) caller.dispose();
  }
}

/** What one attempt came to: the core's decision, and the attempt itself when the core accepted it. */
interface Ran {
  readonly decision: RetryDecision;
  readonly accepted?: Accepted;
}

/**
 * Sends the call's attempts until the core accepts one (no retry), and returns it. A hedged call
 * (the core's `hedge` option) has several attempts in flight at once: the core starts the extra
 * ones on its timer and gives exactly one of them a decision other than `other-attempt` (the
 * winner, or the last to fail); the others are dropped, and the losers aborted by the core.
 */
async function attempts(call: Call, config: InternalAxiosRequestConfig, followsRedirects: boolean, sender: Sender, caller: CallerCancellation): Promise<Accepted> {
  let round: { resolve: (ran: Ran) => void; reject: (error: unknown) => void } | undefined;
  const start = (attempt: Attempt): void => {
    runAttempt(attempt, config, followsRedirects, sender, caller).then(
      (ran) => {
        if (!isOtherAttempt(ran.decision)) round?.resolve(ran);
      },
      (error: unknown) => round?.reject(error),
    );
  };
  call.hedge(start);
  for (;;) {
    const attempt = call.next();
    if (!attempt.ok) throw balancerError(attempt.error, config, sender.lib);
    const ran = await new Promise<Ran>((resolve, reject) => {
      round = { resolve, reject };
      start(attempt);
    });
    if (ran.accepted) return ran.accepted;
    const { decision } = ran;
    if (!decision.retry) throw new Error('unreachable: an attempt neither accepted nor retried');
    try {
      await call.delay(decision.delayMs, caller.signal);
    } catch {
      throw caller.error();
    }
  }
}

/** Sends one attempt and reports it to the core. */
async function runAttempt(attempt: Attempt, config: InternalAxiosRequestConfig, followsRedirects: boolean, sender: Sender, caller: CallerCancellation): Promise<Ran> {
  const streamed = config.responseType === 'stream';
  const abort = new AttemptAbort(sender.reportsHead);
  const unfollow = caller.follow(abort);
  let timedOut: AttemptTimeoutError | undefined;
  attempt.arm((error) => {
    timedOut = error;
    abort.abort(error);
  });
  // A hedged call's attempt that lost: the core ended it already; the transport stops here.
  attempt.onCancel((reason) => abort.abort(reason));
  // The head, reported as it arrives when the adapter can tell (axios's http adapter).
  let head: RetryDecision | undefined;
  const listener: HeadListener | undefined = sender.reportsHead
    ? {
        bind: (request) => abort.bind(request),
        head: (response) => {
          head = attempt.headers({ status: response.statusCode ?? 0, headers: response.headers, buffered: !streamed });
          const dropped = head.retry || isOtherAttempt(head);
          if (dropped) abort.abort(DISCARDED);
          return !dropped;
        },
      }
    : undefined;
  const settled = await settle(() => sender.send(attemptConfig(config, attempt, followsRedirects, abort.signal, listener, sender.lib)));
  if (head && (head.retry || isOtherAttempt(head))) {
    unfollow(); // the core already ended the attempt and decided: the rest was discarded
    return { decision: head };
  }
  const response = responseOfSettled(settled);
  const body = response && streamedBody(response.data);
  if (response && body) {
    const decision = head ?? attempt.headers({ status: response.status, headers: axiosHeader(response) });
    if (!decision.retry && !isOtherAttempt(decision)) return { decision, accepted: { settled, timedOut, open: { attempt, body, unfollow } } };
    unfollow();
    body.destroy();
    return { decision };
  }
  unfollow();
  const decision = attempt.end(response ? responseFacts(settled, response) : withBodyFate(errorFacts(settled, caller), config.data));
  return decision.retry || isOtherAttempt(decision) ? { decision } : { decision, accepted: { settled, timedOut } };
}

/** The reason a response the core retries is dropped with, midway through its body. */
const DISCARDED = new Error('response discarded: the request is retried on another instance');

/** The caller reads the streamed body: the attempt ends with it. */
function handOver(open: NonNullable<Accepted['open']>, caller: CallerCancellation): void {
  caller.stopDeadline();
  open.unfollow();
  // From here a caller's abort ends the body it reads, with axios's own error.
  const unfollow = caller.follow({ abort: () => open.body.destroy(caller.error()) });
  whenBodyEnds(open.body, () => caller.gaveUp !== undefined, (result) => {
    open.attempt.end(result);
    unfollow();
    caller.dispose();
  });
}

/** A redirect's streamed body nobody will read: drained, so its attempt ends as answered. */
function discard(open: NonNullable<Accepted['open']>): void {
  whenBodyEnds(open.body, () => false, (result) => {
    open.attempt.end(result);
    open.unfollow();
  });
  open.body.resume();
}
