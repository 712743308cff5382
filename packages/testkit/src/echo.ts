import type { IncomingHttpHeaders } from 'node:http';
import type { BodyPlan } from './behavior.js';

/** What a request brought, for the echo. */
export interface EchoSource {
  readonly method: string;
  readonly path: string;
  /** The query string without `?`. */
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * The JSON value of a response body:
 * - echo: `{ server, method, path, query, headers, body }` (`query` maps a repeated name to an array);
 * - injected error: `{ server, error: 'injected failure', status }`;
 * - health: `{ server, status }`; redirect: `{ server, location }`.
 */
export function jsonBody(
  server: string,
  body: Exclude<BodyPlan, { kind: 'bytes' }>,
  status: number,
  echo: EchoSource,
): unknown {
  switch (body.kind) {
    case 'echo': {
      const { method, path, search, headers } = echo;
      return { server, method, path, query: parseQuery(search), headers, body: echo.body };
    }
    case 'error':
      return { server, error: 'injected failure', status };
    case 'health':
      return { server, status };
    case 'redirect':
      return { server, location: body.location };
  }
}

/** Query parameters in order; a repeated name gives an array. */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(search)) {
    const prev = query[name];
    query[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}
