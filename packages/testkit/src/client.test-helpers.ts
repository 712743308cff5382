import { request, type IncomingHttpHeaders } from 'node:http';

/** The low-level reason a fetch failed: the cause's code (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, ...) or the error name. */
export async function failureOf(pending: Promise<unknown>): Promise<string> {
  try {
    await pending;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name;
  }
  throw new Error('expected the request to fail');
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly bytesRead: number;
}

/**
 * GET over a fresh connection (no agent, no keep-alive), reading at most `maxBytes` of the body
 * and then destroying the request. Rejects with the socket error, if any.
 */
export function rawGet(url: string, maxBytes = Infinity): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let bytesRead = 0;
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytesRead });
      res.on('data', (chunk: Buffer) => {
        bytesRead += chunk.length;
        if (bytesRead >= maxBytes) {
          req.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Counts of the process's active handles per type (TCPServerWrap, TCPSocketWrap, Timeout, ...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
