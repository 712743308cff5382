/**
 * Per-request overrides for undici, in two forms:
 * - the `balancer` dispatch option, for `undici.request`, `stream`, `pipeline` and
 *   `dispatcher.dispatch`: `request('http://orders/x', { dispatcher, balancer: { retry: false } })`
 *   (typed by augmenting undici's `Dispatcher.DispatchOptions`);
 * - the `datapunk-balancer` request header, for `fetch` (undici's and Node's global one), whose
 *   `RequestInit` never reaches the dispatcher: `fetch(url, { headers: overridesHeader({ hedge: false }) })`.
 *   Its value is the overrides as JSON. The adapter removes it before the request is sent.
 * When both are given, the dispatch option's fields win over the header's. The core validates
 * them: an unknown key, a wrong type or a header that is not JSON fails the request with
 * `ERR_BALANCER_CONFIG`, naming the field.
 */
import type { RequestOverrides } from '@datapunk/balancer';
import type { CallRequest } from '@datapunk/balancer/adapter';
import type { DispatchHeaders } from './headers.js';
import { readHeader, withoutHeader } from './headers.js';

declare module 'undici' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Dispatcher {
    interface DispatchOptions {
      /** Per-request overrides of the balanced service's options (see `RequestOverrides`). */
      balancer?: RequestOverrides;
    }
  }
}

/** The request header that carries overrides through `fetch`. */
export const OVERRIDES_HEADER = 'datapunk-balancer';

/** Characters JSON leaves as they are but a header value cannot hold: escaped as `\uXXXX`. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NOT_HEADER_SAFE = /[\u0000-\u001f\u007f-\uffff]/g;

/**
 * The request header that carries `overrides` through `fetch`, as an object to spread into
 * `headers`: `{ 'datapunk-balancer': '{"retry":false}' }`. Non-ASCII text (in a `hashKey`) is
 * escaped, so the value is always a valid header value.
 */
export function overridesHeader(overrides: RequestOverrides): Record<typeof OVERRIDES_HEADER, string> {
  const json = JSON.stringify(overrides).replace(NOT_HEADER_SAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { [OVERRIDES_HEADER]: json };
}

/** A request's overrides as the core takes them. */
export type FoundOverrides = Pick<CallRequest, 'overrides' | 'overridesFrom'>;

/** The overrides of one request, and its headers without the overrides header. */
export interface RequestOverridesFound {
  readonly request: FoundOverrides;
  readonly headers: DispatchHeaders;
}

/** No overrides. */
export const NO_OVERRIDES: FoundOverrides = Object.freeze({});

/** Reads a request's overrides from its dispatch option and its header (`headers`: as `replayableHeaders` made them). */
export function findOverrides(option: unknown, headers: DispatchHeaders): RequestOverridesFound {
  const text = readHeader(headers, OVERRIDES_HEADER);
  if (text === undefined) {
    return { request: option === undefined ? NO_OVERRIDES : { overrides: option as RequestOverrides, overridesFrom: 'balancer' }, headers };
  }
  const stripped = withoutHeader(headers, OVERRIDES_HEADER);
  let fromHeader: unknown;
  try {
    fromHeader = JSON.parse(text);
  } catch {
    fromHeader = text; // the core reports it: expected an object
  }
  if (option === undefined) return { request: { overrides: fromHeader as RequestOverrides, overridesFrom: `${OVERRIDES_HEADER} header` }, headers: stripped };
  const merged = isObject(fromHeader) && isObject(option) ? { ...fromHeader, ...option } : option;
  return { request: { overrides: merged as RequestOverrides, overridesFrom: `balancer (with the ${OVERRIDES_HEADER} header)` }, headers: stripped };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
