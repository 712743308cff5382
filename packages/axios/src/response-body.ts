/**
 * Streamed responses (`responseType: 'stream'`): axios resolves as soon as the headers arrive,
 * so the attempt (and the instance's in-flight slot) lasts until the body ends, fails or is
 * abandoned by the caller.
 */
import type { AttemptFacts } from '@datapunk/balancer/adapter';
import { finished, type Readable } from 'node:stream';

/** The response body when it is a Node stream the caller will read, else undefined. */
export function streamedBody(data: unknown): Readable | undefined {
  const candidate = data as Partial<Readable> | null | undefined;
  return typeof candidate?.pipe === 'function' && typeof candidate.on === 'function' ? (data as Readable) : undefined;
}

/**
 * Calls `onEnd` once when `body` ends, with what happened: nothing (complete), or the error the
 * stream ended with, said to be the caller's when it aborted through its signal. (Whether a
 * premature close or a reset is the instance's fault is the core's call.)
 */
export function whenBodyEnds(body: Readable, callerGaveUp: () => boolean, onEnd: (facts: AttemptFacts) => void): void {
  finished(body, (error) => {
    if (!error) onEnd({});
    else onEnd(callerGaveUp() ? { error, cancelledBy: 'caller' } : { error });
  });
}
