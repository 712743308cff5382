/**
 * A got redirect hop, seen from the logical URL: where it goes (`Location` resolved against the
 * logical URL, as fetch does, not against the instance got talked to), and which credentials go
 * with it (fetch's rule: kept on the same logical origin, dropped elsewhere).
 */
import type { GotOptions, GotResponse } from './got-shapes.js';

/** Headers that stay on the logical origin across a redirect, and only there. */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie'] as const;

/** The caller's credential headers, as first sent. */
export type Credentials = Partial<Record<(typeof CREDENTIAL_HEADERS)[number], string | string[]>>;

/** The hop's URL: `response`'s `Location` (got reads it as latin-1 bytes) against `logicalUrl`; undefined without one. */
export function redirectTarget(response: GotResponse, logicalUrl: URL): URL | undefined {
  const location = response.headers.location;
  const raw = Array.isArray(location) ? location[0] : location;
  return raw === undefined ? undefined : new URL(Buffer.from(raw, 'binary').toString(), logicalUrl);
}

/** Puts the caller's `credentials` back on the hop's headers when it stays on the logical origin, removes them otherwise. */
export function keepCredentials(options: GotOptions, credentials: Credentials, sameOrigin: boolean): void {
  for (const name of CREDENTIAL_HEADERS) {
    const value = credentials[name];
    if (sameOrigin && value !== undefined) options.headers[name] = value;
    else delete options.headers[name];
  }
}
