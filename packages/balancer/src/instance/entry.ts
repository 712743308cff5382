/**
 * Instance entries: parsing and validating one item of an instance list (from static config or
 * discovery) into an `InstanceSpec`, identified by its normalised origin.
 */
import type { ConfigIssue } from '../errors.js';
import { isPlainObject, keyPath, show } from '../config/validate.js';

/** A validated instance description. */
export interface InstanceSpec {
  /** Normalised origin, also the identity used to diff lists: `http://127.0.0.1:8081`. */
  readonly id: string;
  /** Same as `id`: the origin requests are sent to. */
  readonly url: string;
  readonly protocol: 'http:' | 'https:';
  /** Host name or IP as in the URL (IPv6 in brackets). */
  readonly host: string;
  /** Port number, the protocol's default when the URL has none. */
  readonly port: number;
  /** Relative weight, an integer from 1 to 10,000. */
  readonly weight: number;
  readonly zone: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

export const MAX_WEIGHT = 10_000;
const MAX_URL_LENGTH = 2_048;
const KNOWN = ['url', 'weight', 'zone', 'metadata'];

export type ParsedEntry = { readonly ok: true; readonly spec: InstanceSpec } | { readonly ok: false; readonly issues: ConfigIssue[] };

/** Normalises an origin string; returns an error message instead when it is not a bare http(s) origin. */
export function parseOrigin(raw: string): { origin: string; protocol: 'http:' | 'https:'; host: string; port: number } | string {
  if (raw.length > MAX_URL_LENGTH) return `expected a URL of at most ${MAX_URL_LENGTH} characters, got ${raw.length}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `expected an origin like "http://10.0.0.5:8080", got ${show(raw)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `expected an http: or https: URL, got ${show(raw)}`;
  }
  if (url.username || url.password) return `credentials in instance URLs are not supported, got ${show(raw)}`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return `expected an origin without path, query or fragment, got ${show(raw)}`;
  }
  if (!url.hostname) return `expected a host, got ${show(raw)}`;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (port === 0) return `expected a port from 1 to 65535, got 0 in ${show(raw)}`;
  // The literal, not the parser's string: compared on every attempt, and equal literals are one string.
  return { origin: url.origin, protocol: url.protocol === 'https:' ? 'https:' : 'http:', host: url.hostname, port };
}

/** Parses one entry: an origin string or `{ url, weight?, zone?, metadata? }`. */
export function parseInstanceEntry(value: unknown, path: string): ParsedEntry {
  const issues: ConfigIssue[] = [];
  const add = (p: string, message: string) => issues.push({ path: p, message });
  let rawUrl: unknown;
  let weight: unknown;
  let zone: unknown;
  let metadata: unknown;
  if (typeof value === 'string') {
    rawUrl = value;
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (!KNOWN.includes(key)) add(keyPath(path, key), `unknown option (known: ${KNOWN.join(', ')})`);
    }
    ({ url: rawUrl, weight, zone, metadata } = value);
  } else {
    add(path, `expected an origin string or { url, weight?, zone?, metadata? }, got ${show(value)}`);
    return { ok: false, issues };
  }

  let parsed: ReturnType<typeof parseOrigin> | undefined;
  const urlPath = typeof value === 'string' ? path : `${path}.url`;
  if (typeof rawUrl !== 'string') add(urlPath, `expected a URL string, got ${show(rawUrl)}`);
  else {
    parsed = parseOrigin(rawUrl);
    if (typeof parsed === 'string') add(urlPath, parsed);
  }
  if (
    weight !== undefined &&
    !(typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= MAX_WEIGHT)
  ) {
    add(`${path}.weight`, `expected an integer from 1 to ${MAX_WEIGHT}, got ${show(weight)}`);
  }
  if (zone !== undefined && (typeof zone !== 'string' || zone.length > 256)) {
    add(`${path}.zone`, `expected a string of at most 256 characters, got ${show(zone)}`);
  }
  const meta: Record<string, string> = {};
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) add(`${path}.metadata`, `expected an object of strings, got ${show(metadata)}`);
    else {
      for (const [k, v] of Object.entries(metadata)) {
        if (typeof v !== 'string' || v.length > 1_024) {
          add(keyPath(`${path}.metadata`, k), `expected a string of at most 1024 characters, got ${show(v)}`);
        } else meta[k] = v;
      }
    }
  }
  if (issues.length > 0 || parsed === undefined || typeof parsed === 'string') return { ok: false, issues };
  return {
    ok: true,
    spec: Object.freeze({
      id: parsed.origin,
      url: parsed.origin,
      protocol: parsed.protocol,
      host: parsed.host,
      port: parsed.port,
      weight: (weight as number | undefined) ?? 1,
      zone: zone as string | undefined,
      metadata: Object.freeze(meta),
    }),
  };
}

/**
 * Parses a whole list; entries that fail are returned as `rejected` (with their issues) and the
 * rest as `specs`. A repeated origin keeps its first entry and reports the others.
 */
export function parseInstanceList(
  entries: readonly unknown[],
  path: string,
): { specs: InstanceSpec[]; rejected: ConfigIssue[] } {
  const specs: InstanceSpec[] = [];
  const rejected: ConfigIssue[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const parsed = parseInstanceEntry(entry, `${path}[${i}]`);
    if (!parsed.ok) rejected.push(...parsed.issues);
    else if (seen.has(parsed.spec.id)) {
      rejected.push({ path: `${path}[${i}]`, message: `duplicate instance ${parsed.spec.id}` });
    } else {
      seen.add(parsed.spec.id);
      specs.push(parsed.spec);
    }
  });
  return { specs, rejected };
}
