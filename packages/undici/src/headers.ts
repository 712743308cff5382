/**
 * Request headers as undici's dispatch options carry them: a plain object, a flat
 * `[name, value, name, value]` array, or an iterable of `[name, value]` pairs (a `Headers`,
 * a `Map`, a generator). Reads by name and rewrites `Host` without changing any other header.
 */
import type { Dispatcher } from 'undici';

/** The `headers` of undici's dispatch options. */
export type DispatchHeaders = Dispatcher.DispatchOptions['headers'];

type HeaderValue = string | string[] | Buffer | undefined | null;

const join = (value: HeaderValue): string | undefined =>
  value === undefined || value === null ? undefined : Array.isArray(value) ? value.join(', ') : String(value);

/** True for headers given as an iterable of `[name, value]` pairs (a `Headers`, a `Map`, a generator). */
export function isPairIterable(headers: unknown): headers is Iterable<[string, HeaderValue]> {
  return typeof headers === 'object' && headers !== null && !Array.isArray(headers) && typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

/**
 * Turns an iterable of pairs into a flat array, so that it can be read for the hash key and sent
 * again on each attempt (a generator could be read only once). Other shapes are returned as is.
 */
export function replayableHeaders(headers: DispatchHeaders): DispatchHeaders {
  if (headers === null || headers === undefined || !isPairIterable(headers)) return headers;
  const flat: string[] = [];
  for (const [name, value] of headers) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) flat.push(name, String(v));
  }
  return flat;
}

/**
 * True when header name `key` is `name` (lower case) in any case. Names of another length are
 * ruled out first, so that reading one header does not lower-case every other one.
 */
function isName(key: unknown, name: string): boolean {
  if (typeof key === 'string') return key.length === name.length && (key === name || key.toLowerCase() === name);
  return String(key).toLowerCase() === name;
}

/** The value of header `name` (lower case), values of a repeated header joined by `, `. */
export function readHeader(headers: DispatchHeaders, name: string): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  if (Array.isArray(headers)) {
    const values: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (isName(headers[i], name)) values.push(String(headers[i + 1]));
    }
    return values.length === 0 ? undefined : join(values);
  }
  if (isPairIterable(headers)) {
    for (const [key, value] of headers) if (isName(key, name)) return join(value);
    return undefined;
  }
  const record = headers as Record<string, HeaderValue>;
  for (const key in record) if (Object.hasOwn(record, key) && isName(key, name)) return join(record[key]);
  return undefined;
}

/** A copy of `headers` (as made by `replayableHeaders`) with `Host` set to `host`. */
export function withHost(headers: DispatchHeaders, host: string): DispatchHeaders {
  const kept = withoutHeader(headers, 'host');
  return Array.isArray(kept) ? [...kept, 'host', host] : ({ ...(kept as Record<string, HeaderValue>), host } as DispatchHeaders);
}

/** A copy of `headers` (as made by `replayableHeaders`) without header `name` (lower case). */
export function withoutHeader(headers: DispatchHeaders, name: string): DispatchHeaders {
  if (Array.isArray(headers)) {
    const kept: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== name) kept.push(headers[i]!, headers[i + 1]!);
    }
    return kept;
  }
  const copy: Record<string, HeaderValue> = {};
  for (const [key, value] of Object.entries((headers ?? {}) as Record<string, HeaderValue>)) {
    if (key.toLowerCase() !== name) copy[key] = value;
  }
  return copy as DispatchHeaders;
}
