/**
 * Writing a planned response (`behavior.ts` plans it): the status and headers after the
 * headers delay, then the JSON or byte body after the body delay, each delay cancelled if the
 * client goes away first.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ResponsePlan } from './behavior.js';
import { streamBytes } from './body.js';
import { jsonBody, type EchoSource } from './echo.js';

/** What writing a response needs from its server. */
export interface ResponseWriter {
  /** Runs `fn` after `ms` unless the response closes first (see `Connections.after`). */
  after(ms: number, res: ServerResponse, fn: () => void): void;
  /** The headers to send: `headers` plus what the server adds to them (a load report). */
  head(headers: OutgoingHttpHeaders): OutgoingHttpHeaders;
  /** The response's headers went out with `status`. */
  sent(status: number): void;
}

/** Writes `plan` to `res` for the server `serverId` (named in JSON bodies). */
export function writeResponse(plan: ResponsePlan & { kind: 'respond' }, res: ServerResponse, echo: EchoSource, serverId: string, writer: ResponseWriter): void {
  writer.after(plan.headersDelayMs, res, () => {
    const body = plan.body;
    if (plan.status === 204 || plan.status === 304) {
      // These statuses carry no body, and no Content-Length either.
      res.writeHead(plan.status, writer.head({ ...plan.headers })).end();
      writer.sent(plan.status);
      return;
    }
    const json = body.kind === 'bytes' ? undefined : Buffer.from(JSON.stringify(jsonBody(serverId, body, plan.status, echo)));
    res.writeHead(
      plan.status,
      writer.head({
        ...plan.headers,
        'content-type': json === undefined ? 'application/octet-stream' : 'application/json',
        'content-length': String(json?.length ?? (body.kind === 'bytes' ? body.bytes : 0)),
      }),
    );
    writer.sent(plan.status);
    if (plan.bodyDelayMs > 0) res.flushHeaders();
    writer.after(plan.bodyDelayMs, res, () => {
      if (json !== undefined) res.end(json);
      else if (body.kind === 'bytes') streamBytes(res, body.bytes);
    });
  });
}
