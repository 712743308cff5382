import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request body kept for the echo and the log. */
export interface ReceivedBody {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Reads the whole request body but keeps only the first `capBytes`.
 * Resolves undefined when the request is aborted before its end.
 */
export function readBody(req: IncomingMessage, capBytes: number): Promise<ReceivedBody | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    req.on('data', (chunk: Buffer) => {
      const part = kept < capBytes ? chunk.subarray(0, capBytes - kept) : chunk.subarray(0, 0);
      if (part.length > 0) chunks.push(part);
      kept += part.length;
      if (part.length < chunk.length) truncated = true;
    });
    req.once('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated }));
    req.once('error', () => resolve(undefined));
    req.once('close', () => resolve(undefined)); // no-op when 'end' came first
  });
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * Writes `bytes` filler bytes to `res` in 64 KiB chunks, waiting for 'drain' when the socket
 * is full, and ends the response. Stops as soon as the client goes away, so a large body
 * costs a few chunks of memory, never its full size.
 */
export function streamBytes(res: ServerResponse, bytes: number): void {
  let remaining = bytes;
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const n = Math.min(remaining, CHUNK.length);
      remaining -= n;
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.once('close', () => res.off('drain', pump));
  pump();
}
