/**
 * The caller's way out of a logical request, as one signal: its `signal`, its `cancelToken` and
 * its `timeout`.
 *
 * Retries happen inside the adapter, and axios applies `timeout` per adapter call, so each retry
 * would get the full timeout again. Instead the adapter sends every attempt with `timeout: 0` and
 * this class turns the caller's `timeout` into a deadline for the whole logical request, backoff
 * included, failing it with the error axios itself gives (`ECONNABORTED`, or `ETIMEDOUT` with
 * `transitional.clarifyTimeoutError`). For `responseType: 'stream'` the deadline covers the
 * response headers; the body is read at the caller's pace, as axios does.
 */
import type { Runtime, Timer } from '@datapunk/balancer/adapter';
import axios, { type AxiosError, type InternalAxiosRequestConfig } from 'axios';
import type { AxiosModule } from './axios-module.js';

/** Something the caller's giving up stops. */
export interface Abortable {
  abort(reason: Error): void;
}

/** Why the caller gave up: its signal or cancel token, or its timeout. */
export type CallerGaveUp = 'aborted' | 'timeout';

export class CallerCancellation {
  /** Created only when a signal is asked for (backoff, a hop axios sends itself). */
  private controller: AbortController | undefined;
  private readonly cleanups: (() => void)[] = [];
  /** What the caller's giving up stops now: the attempt in flight, or the body it reads. */
  private current: Abortable | undefined;
  private deadline: Timer | undefined;
  private why: CallerGaveUp | undefined;

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    runtime: Runtime,
    /** The caller's copy of axios, whose error classes `error()` uses. */
    private readonly lib: AxiosModule = axios,
  ) {
    const onAbort = (): void => this.giveUp('aborted');
    const { signal, cancelToken } = config;
    if (signal?.aborted) onAbort();
    else if (signal?.addEventListener) {
      signal.addEventListener('abort', onAbort);
      this.cleanups.push(() => signal.removeEventListener?.('abort', onAbort));
    }
    if (cancelToken) {
      cancelToken.subscribe(onAbort); // calls back at once when already cancelled
      this.cleanups.push(() => cancelToken.unsubscribe(onAbort));
    }
    const timeoutMs = Number(config.timeout ?? 0);
    if (timeoutMs > 0 && !this.why) {
      this.deadline = runtime.setTimeout(() => this.giveUp('timeout'), timeoutMs, { unref: false });
    }
  }

  /** Aborts when the caller gives up (backoff waits, a hop sent by axios itself follow it). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.why) this.controller.abort();
    }
    return this.controller.signal;
  }

  /**
   * `abort` is the attempt in flight until the returned function is called: it is stopped if the
   * caller gives up meanwhile (or already has).
   */
  follow(abort: Abortable): () => void {
    if (this.why) {
      abort.abort(this.reason());
      return () => {};
    }
    this.current = abort;
    return () => {
      if (this.current === abort) this.current = undefined;
    };
  }

  /** Whether (and why) the caller gave up. */
  get gaveUp(): CallerGaveUp | undefined {
    return this.why;
  }

  /** The error axios gives for this cancellation, with the caller's config. */
  error(request?: unknown): AxiosError {
    const { config } = this;
    if (this.why === 'timeout') {
      const message = config.timeoutErrorMessage || `timeout of ${String(config.timeout)}ms exceeded`;
      const code = config.transitional?.clarifyTimeoutError ? this.lib.AxiosError.ETIMEDOUT : this.lib.AxiosError.ECONNABORTED;
      return new this.lib.AxiosError(message, code, config, request);
    }
    const reason: unknown = config.cancelToken?.reason;
    if (axios.isCancel(reason)) return reason;
    return new this.lib.CanceledError(undefined, config, request);
  }

  /** Stops the deadline: the response was handed to the caller. */
  stopDeadline(): void {
    this.deadline?.cancel();
  }

  /** Stops listening to the caller. Idempotent. */
  dispose(): void {
    this.stopDeadline();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private giveUp(why: CallerGaveUp): void {
    if (this.why) return;
    this.why = why;
    this.current?.abort(this.reason());
    this.controller?.abort();
  }

  private reason(): Error {
    const reason: unknown = (this.config.signal as { reason?: unknown } | undefined)?.reason;
    return reason instanceof Error ? reason : new Error(this.why === 'timeout' ? 'the request timed out' : 'the caller aborted the request');
  }
}
