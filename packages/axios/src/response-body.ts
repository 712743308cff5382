/**
 * Streamed responses (`responseType: 'stream'`): axios resolves as soon as the headers arrive,
 * so the attempt (and the instance's in-flight slot) lasts until the body ends, fails or is
 * abandoned by the caller.
 */
import type { AttemptResult } from '@datapunk/balancer';
import { finished, type Readable } from 'node:stream';

/** The response body when it is a Node stream the caller will read, else undefined. */
export function streamedBody(data: unknown): Readable | undefined {
  const candidate = data as Partial<Readable> | null | undefined;
  return typeof candidate?.pipe === 'function' && typeof candidate.on === 'function' ? (data as Readable) : undefined;
}

/**
 * Calls `onEnd` once when `body` ends. A body the caller destroyed (premature close) or aborted
 * through its signal is `cancelled`; any other error (a reset mid-body) is the instance's.
 */
export function whenBodyEnds(body: Readable, callerGaveUp: () => boolean, onEnd: (result: AttemptResult) => void): void {
  finished(body, (error) => {
    if (!error) onEnd({});
    else if (callerGaveUp() || (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') onEnd({ cancelled: true });
    else onEnd({ error });
  });
}
