/**
 * Where a request goes: the logical URL axios would build, and the same request aimed at one
 * instance.
 *
 * axios joins `baseURL` and `url` and appends the serialised `params` inside the adapter. So the
 * logical URL (what the balancer routes on) is computed with axios's own `getUri`, and an
 * attempt changes only the origin of whichever of `baseURL`/`url` decides it: `params` stay in the
 * config and axios appends them exactly once, with its own serialiser, as it would without us.
 */
import type { InternalAxiosRequestConfig } from 'axios';

/** axios's own rule (`helpers/isAbsoluteURL.js`): a scheme followed by `//`, or `//` alone. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The logical URL of a request as axios builds it (`getUri`), or undefined when it is not
 * absolute. Without `params` it is joined here by axios's own rules (`buildFullPath`): `getUri`
 * merges the whole config again, which costs more than the rest of the adapter together.
 */
export function logicalUrl(config: InternalAxiosRequestConfig, getUri: (config: InternalAxiosRequestConfig) => string): URL | undefined {
  try {
    return new URL(hasParams(config.params) ? getUri(config) : fullPath(config));
  } catch {
    return undefined;
  }
}

function hasParams(params: unknown): boolean {
  if (params === undefined || params === null) return false;
  if (params instanceof URLSearchParams) return params.size > 0;
  return typeof params !== 'object' || Object.keys(params).length > 0;
}

/** axios's `buildFullPath` (`helpers/combineURLs.js`): `baseURL` joined to a relative `url`. */
function fullPath(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  const { baseURL } = config;
  if (!baseURL || (ABSOLUTE_URL.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
}

/**
 * Points `config` at `origin`: whichever of `baseURL`/`url` decides the origin gets `origin`'s
 * scheme, host and port; path, query, credentials and `params` are left for axios to join as
 * usual.
 */
export function retarget(config: InternalAxiosRequestConfig, origin: string): void {
  const url = config.url ?? '';
  const { baseURL } = config;
  const baseDecides = Boolean(baseURL) && (!ABSOLUTE_URL.test(url) || config.allowAbsoluteUrls === false);
  if (baseDecides) config.baseURL = withOrigin(baseURL!, origin);
  else config.url = withOrigin(url, origin);
}

/** The scheme and authority of an absolute (or scheme-relative) URL; group 1: its userinfo. */
const AUTHORITY = /^(?:[a-z][a-z\d+\-.]*:)?\/\/(?:([^@/?#]*)@)?[^/?#]*/i;

/**
 * `url` with `origin` in place of its scheme and authority, userinfo kept. Spliced as text: the
 * WHATWG `host` setter keeps the old port when the new host has none (an instance on the default
 * port got the logical URL's port), and parsing URLs twice per attempt was a visible cost.
 */
export function withOrigin(url: string, origin: string): string {
  const match = AUTHORITY.exec(url);
  if (!match) return url;
  const userinfo = match[1];
  return (userinfo === undefined ? origin : origin.replace('//', `//${userinfo}@`)) + url.slice(match[0].length);
}
