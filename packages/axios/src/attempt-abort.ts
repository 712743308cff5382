/**
 * How one attempt is stopped: the caller gave up, the attempt deadline passed, or the core
 * dropped the response to retry elsewhere.
 *
 * With axios's http adapter the attempt's own `ClientRequest` (handed over by the head
 * transport) is destroyed with the reason: no `AbortSignal` per attempt, which cost axios about
 * 35 µs per request (its http adapter listens to the signal and builds an abort path). Other
 * adapters (fetch, xhr, custom) get an `AbortSignal`.
 */
import type { ClientRequest } from 'node:http';

export class AttemptAbort {
  readonly #controller: AbortController | undefined;
  #request: ClientRequest | undefined;
  #reason: Error | undefined;

  /** `viaRequest`: the adapter hands over its `ClientRequest` (`bind`); otherwise a signal is used. */
  constructor(viaRequest: boolean) {
    this.#controller = viaRequest ? undefined : new AbortController();
  }

  /** The signal to send the attempt with, when the adapter takes one. */
  get signal(): AbortSignal | undefined {
    return this.#controller?.signal;
  }

  /** The reason, once aborted. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** The attempt's request exists: it is destroyed at once if the attempt was already aborted. */
  bind(request: ClientRequest): void {
    this.#request = request;
    if (this.#reason !== undefined) request.destroy(this.#reason);
  }

  abort(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    if (this.#controller) this.#controller.abort(reason);
    else this.#request?.destroy(reason);
  }
}
