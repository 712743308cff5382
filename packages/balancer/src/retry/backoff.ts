/**
 * Retry timing, kept pure: exponential backoff with full jitter, and Retry-After parsing.
 */

/**
 * Full-jitter backoff (AWS architecture blog): a uniform delay in [0, min(max, base x 2^(retry-1))],
 * where `retry` is 1 for the first retry.
 */
export function fullJitterBackoffMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * (ceiling + 1));
}

/**
 * Parses a Retry-After header value: delta-seconds or an HTTP-date. Returns ms from `nowWallMs`
 * (a wall-clock time, used only for dates), or undefined when absent or unparseable.
 * Negative results (dates in the past) become 0.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowWallMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowWallMs);
}
