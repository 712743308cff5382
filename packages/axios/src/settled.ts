/**
 * How one axios attempt settled (a response, or an error that may carry one), and what that
 * tells the core and the caller: the facts reported, and the result returned or thrown as axios
 * would, with the caller's own config.
 */
import type { AttemptTimeoutError } from '@datapunk/balancer';
import type { AttemptFacts, HeaderReader } from '@datapunk/balancer/adapter';
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { AxiosModule } from './axios-module.js';
import type { CallerCancellation } from './caller-cancellation.js';
import { attemptTimeoutError } from './errors.js';
import { headerText } from './headers.js';

/** How one attempt settled. */
export type Settled = { readonly response: AxiosResponse } | { readonly error: unknown };

/**
 * What a response tells the core. axios attaches the response to the error of a body that
 * failed midway ("stream has been aborted", a reset): the headers arrived, the body did not,
 * which is the instance's failure, not a success with that status. A complete body always has
 * `data` set (axios assigns it at the end); a body that failed never does.
 */
export function responseFacts(settled: Settled, response: AxiosResponse): AttemptFacts {
  const facts = { status: response.status, headers: axiosHeader(response) };
  return 'error' in settled && response.data === undefined ? { ...facts, error: settled.error } : facts;
}

export function responseOfSettled(settled: Settled): AxiosResponse | undefined {
  return 'response' in settled ? settled.response : responseOf(settled.error);
}

/** Runs one attempt; whatever happens (even a synchronous throw) becomes a result to report. */
export async function settle(run: () => Promise<AxiosResponse>): Promise<Settled> {
  try {
    return { response: await run() };
  } catch (error) {
    return { error };
  }
}

/** What an attempt that failed without a response tells the core. */
export function errorFacts(settled: Settled, caller: CallerCancellation): AttemptFacts {
  const error = 'error' in settled ? settled.error : undefined;
  return caller.gaveUp ? { error, cancelledBy: 'caller' } : { error };
}

/** Returns or throws the last attempt's result as axios would, with the caller's own config. */
export function finish(
  settled: Settled,
  config: InternalAxiosRequestConfig,
  caller: CallerCancellation,
  timedOut: AttemptTimeoutError | undefined,
  lib: AxiosModule,
): AxiosResponse {
  if ('response' in settled) {
    settled.response.config = config;
    return settled.response;
  }
  const { error } = settled;
  const response = responseOf(error);
  if (response) response.config = config;
  else if (caller.gaveUp) throw caller.error(requestOf(error));
  else if (timedOut) throw attemptTimeoutError(timedOut, config, requestOf(error), lib);
  if (axios.isAxiosError(error)) error.config = config;
  throw error;
}

export function axiosHeader(response: AxiosResponse): HeaderReader {
  return (name) => headerText(response.headers, name);
}


export function responseOf(error: unknown): AxiosResponse | undefined {
  return axios.isAxiosError(error) ? error.response : undefined;
}

export function requestOf(error: unknown): unknown {
  return axios.isAxiosError(error) ? error.request : undefined;
}
