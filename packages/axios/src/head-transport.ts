/**
 * The response head of an axios attempt, the moment it arrives. axios's adapter API reports a
 * buffered response only once its whole body is in, but its http adapter takes a `transport`
 * (an object with `request(options, callback)`), which it calls exactly as it would call Node's
 * `http`/`https` when redirects are not followed by it (`maxRedirects: 0`, as the balanced
 * adapter sends every attempt). This transport makes the same call and reports the head first:
 * the attempt deadline then ends at the headers, as in every other client, and a response the
 * core retries is dropped before its body is read.
 */
import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';

/** What axios's http adapter calls. */
export interface Transport {
  request(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest;
}

/** A transport over `base` (the caller's own `transport`, else Node's by protocol) that calls `onHead` first. */
export function headTransport(base: Transport | undefined, onHead: (response: IncomingMessage) => void): Transport {
  return {
    request(options, callback) {
      const transport = base ?? (options.protocol === 'https:' ? https : http);
      return transport.request(options, (response) => {
        onHead(response);
        callback(response);
      });
    },
  };
}
