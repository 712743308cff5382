/**
 * Hedged got requests (the core's `hedge` option). got sends one HTTP request per attempt and
 * gives the caller the response of that request, so a race between attempts cannot run on got's
 * own requests. Instead, for a hedged call, got's `request` option is this transport's function:
 * it sends the current attempt, sends each hedge the core starts (same method, path, headers and
 * agent; the hedge's instance), and resolves with the response the core accepted, which got then
 * reads as if its own request had received it (got accepts a response from a `request`
 * function; cacheable-request uses the same path). A response the core retries is handed over
 * too, so got's retry logic asks the core as usual; an error the core does not drop is thrown.
 * Losers are destroyed when the core cancels them. Only requests without a body are hedged
 * (got writes a body into its own request stream, which this path bypasses).
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { isOtherAttempt, type Attempt, type RetryDecision } from '@datapunk/balancer/adapter';

/** Node's `http.request` / `https.request`, as got calls its `request` option. */
export type RequestFunction = (url: URL, options: RequestOptions) => ClientRequest;

/** What the transport tells the request it belongs to. */
export interface HedgeOwner {
  /** The attempt got is currently sending (the first of a round). */
  current(): Attempt | undefined;
  /** The core's decision on `attempt`'s response head: got reads this response (winner or retried). */
  answered(attempt: Attempt, status: number, decision: RetryDecision): void;
  /** `attempt` failed and the core's decision is the call's: got gets the error. */
  failed(attempt: Attempt, decision: RetryDecision): void;
}

interface Round {
  readonly url: URL;
  readonly options: RequestOptions;
  readonly resolve: (response: IncomingMessage) => void;
  readonly reject: (error: Error) => void;
  /** Requests in flight, with their attempts. */
  readonly requests: Map<ClientRequest, Attempt>;
  settled: boolean;
}

export class HedgedTransport {
  #round: Round | undefined;

  constructor(
    private readonly owner: HedgeOwner,
    private readonly send: RequestFunction,
  ) {}

  /** got's `request` option for a hedged call. */
  readonly request = (url: URL, options: RequestOptions): Promise<IncomingMessage> => {
    const attempt = this.owner.current();
    return new Promise((resolve, reject) => {
      const round: Round = { url, options, resolve, reject, requests: new Map(), settled: false };
      this.#round = round;
      if (attempt === undefined) return reject(new Error('no attempt to send'));
      this.#start(round, attempt, url);
    });
  };

  /** The core started a hedge: it is sent with the round's options to its own instance. */
  launch(attempt: Attempt): void {
    const round = this.#round;
    if (round === undefined || round.settled) return;
    this.#start(round, attempt, new URL(`${round.url.pathname}${round.url.search}`, attempt.target.origin));
  }

  /** The request is over for the caller (an abort, say): whatever is still in flight is destroyed. */
  abandon(reason: Error): void {
    const round = this.#round;
    if (round === undefined) return;
    round.settled = true;
    for (const [request, attempt] of round.requests) {
      attempt.end({ cancelledBy: 'caller' });
      request.destroy(reason);
    }
    round.requests.clear();
  }

  #start(round: Round, attempt: Attempt, url: URL): void {
    let request: ClientRequest;
    try {
      request = this.send(url, round.options);
    } catch (error) {
      this.#failed(round, attempt, error as Error);
      return;
    }
    round.requests.set(request, attempt);
    attempt.arm((error) => request.destroy(error));
    attempt.onCancel((reason) => {
      round.requests.delete(request);
      request.destroy(reason);
    });
    request.once('response', (response: IncomingMessage) => {
      const decision = attempt.headers({ status: response.statusCode ?? 0, headers: response.headers, buffered: true });
      if (isOtherAttempt(decision)) {
        round.requests.delete(request);
        response.destroy();
        request.destroy();
        return;
      }
      round.requests.delete(request);
      round.settled = true;
      this.owner.answered(attempt, response.statusCode ?? 0, decision);
      round.resolve(response);
    });
    // Once its response is got's, an error is got's to report (through the request's release).
    request.once('error', (error: Error) => {
      if (round.requests.delete(request)) this.#failed(round, attempt, error);
    });
    request.end();
  }

  #failed(round: Round, attempt: Attempt, error: Error): void {
    const decision = attempt.end({ error });
    if (isOtherAttempt(decision) || round.settled) return;
    round.settled = true;
    this.owner.failed(attempt, decision);
    round.reject(error);
  }
}
