/** Whether a request body can be sent again on a retry. */

/**
 * Absent bodies, strings, buffers, typed arrays, `URLSearchParams`, `Blob`s and standard
 * `FormData` (clients encode it afresh for each send) can be sent again; streams, async
 * iterables and anything unknown cannot.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (body instanceof URLSearchParams || body instanceof Blob || body instanceof FormData) return true;
  return false;
}
