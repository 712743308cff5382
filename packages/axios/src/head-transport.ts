/**
 * The response head of an axios attempt, the moment it arrives. axios's adapter API reports a
 * buffered response only once its whole body is in, but its http adapter takes a `transport`
 * (an object with `request(options, callback)`), which it calls exactly as it would call Node's
 * `http`/`https` when redirects are not followed by it (`maxRedirects: 0`, as the balanced
 * adapter sends every attempt). This transport makes the same call, hands the `ClientRequest`
 * over (so the attempt can be stopped without an `AbortSignal`) and reports the head first: the
 * attempt deadline then ends at the headers, as in every other client, and a response the core
 * retries is dropped before axios reads its body.
 */
import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';

/** What axios's http adapter calls. */
export interface Transport {
  request(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest;
}

/** What the transport reports for one attempt. */
export interface HeadListener {
  /** The request was created. */
  bind(request: ClientRequest): void;
  /** The head arrived; false drops the response (the request is being destroyed). */
  head(response: IncomingMessage): boolean;
}

/** A transport over `base` (the caller's own `transport`, else Node's by protocol) that reports to `listener`. */
export function headTransport(base: Transport | undefined, listener: HeadListener): Transport {
  return {
    request(options, callback) {
      const transport = base ?? (options.protocol === 'https:' ? https : http);
      const request = transport.request(options, (response) => {
        if (listener.head(response)) callback(response);
      });
      listener.bind(request);
      return request;
    },
  };
}
