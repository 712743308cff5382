/**
 * Reconnect backoff: exponential, capped, with "equal jitter": half of the capped delay is fixed
 * and the other half random, so clients restarted together spread out but never retry at once.
 */

/**
 * Delay before retry number `failures` (1 for the first retry), in milliseconds:
 * `c/2 + random * c/2` with `c = min(maxMs, baseMs * 2^(failures-1))`. Zero `baseMs` gives zero.
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return ceiling / 2 + (random() * ceiling) / 2;
}
