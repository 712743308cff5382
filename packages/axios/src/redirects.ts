/**
 * Redirects of balanced requests, followed hop by hop by the adapter rather than inside axios's
 * transport (follow-redirects). Inside the transport a hop is invisible to the balancer: its
 * failure looked like the instance's own (a POST answered with 303 was sent again to another
 * instance), a relative `Location` was resolved against the instance instead of the service, and a
 * `Location` naming the service went to DNS.
 *
 * The rule (the same for every client, see the README): the instance that answered the redirect
 * is credited with that response and its attempt ends there; the next hop is a request of its
 * own, resolved against the logical URL, balanced when it names a service and handed to axios's
 * own adapter otherwise (which then follows any further redirects itself). This file holds the
 * HTTP rules of a hop, as follow-redirects applies them.
 */
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { AxiosModule } from './axios-module.js';
import { headerText } from './headers.js';

/** Statuses follow-redirects follows. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** follow-redirects' limit when `maxRedirects` is not set. */
const DEFAULT_MAX_REDIRECTS = 21;

/** How many redirects the request may follow (0: none, axios returns the 3xx). */
export function redirectLimit(config: InternalAxiosRequestConfig): number {
  const limit = config.maxRedirects;
  return typeof limit === 'number' && Number.isFinite(limit) && limit >= 0 ? limit : DEFAULT_MAX_REDIRECTS;
}

/** The next hop of a redirect: its logical URL and the config that sends it. */
export interface Hop {
  readonly url: URL;
  readonly config: InternalAxiosRequestConfig;
}

/**
 * The hop `response` asks for, or undefined when it is not a redirect to follow. `url` is the
 * logical URL of the request that got `response`: a relative `Location` resolves against it.
 * A 307/308 must re-send the body: a one-shot stream cannot be, so such a redirect is returned
 * to the caller as it is.
 */
export function nextHop(config: InternalAxiosRequestConfig, url: URL, response: AxiosResponse, lib: AxiosModule = axios): Hop | undefined {
  if (!REDIRECT_STATUSES.has(response.status)) return undefined;
  const location = headerText(response.headers, 'location');
  if (location === undefined || location === '') return undefined;
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  const method = (config.method ?? 'get').toUpperCase();
  const toGet = (response.status === 303 && method !== 'GET' && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST');
  if (!toGet && isStream(config.data)) return undefined;
  const headers = new lib.AxiosHeaders(config.headers);
  if (toGet) {
    for (const name of Object.keys(headers.toJSON())) if (/^content-/i.test(name)) headers.delete(name);
  }
  // Credentials stay on the same origin, or on an upgrade to https of it (follow-redirects' rule).
  const sameSite = target.host === url.host && (target.protocol === url.protocol || target.protocol === 'https:');
  if (!sameSite) for (const name of ['authorization', 'proxy-authorization', 'cookie']) headers.delete(name);
  return {
    url: target,
    config: {
      ...config,
      method: toGet ? 'get' : config.method,
      url: target.href,
      baseURL: undefined,
      params: undefined,
      data: toGet ? undefined : config.data,
      headers,
      ...(sameSite ? {} : { auth: undefined }),
    },
  };
}

function isStream(data: unknown): boolean {
  return typeof data === 'object' && data !== null && typeof (data as { pipe?: unknown }).pipe === 'function';
}
