/**
 * What Node's `http.request` refuses, checked once at construction so that a health check Node
 * would refuse on every probe (and so mark every instance unhealthy) is a config error instead.
 *
 * Header names and values go through Node's own `validateHeaderName` / `validateHeaderValue`.
 * Methods follow the same token rule as header names (Node checks both with `checkIsHttpToken`,
 * `ERR_INVALID_HTTP_TOKEN`), and paths Node's `INVALID_PATH_REGEX` (`ERR_UNESCAPED_CHARACTERS`),
 * which it does not export. `http-rules.test.ts` compares every rule with what the running Node
 * does. Each function returns a message, or undefined when Node accepts the value; values are
 * never echoed whole (a header value is often a secret), only the offending character.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { show } from './validate.js';

/** Characters Node refuses in a request path (everything outside U+0021-U+00FF). */
const UNSENDABLE_PATH_CHAR = /[^\u0021-\u00ff]/;
/** Characters Node refuses in a header value (it allows tab, visible ASCII, space and U+0080-U+00FF). */
const UNSENDABLE_VALUE_CHAR = /[^\t\u0020-\u007e\u0080-\u00ff]/;

const at = (text: string, pattern: RegExp): string => {
  const i = text.search(pattern);
  return i < 0 ? '' : ` at index ${i} (${JSON.stringify(text[i])})`;
};

/** A request path Node would send as is. */
export function pathProblem(path: string): string | undefined {
  if (!UNSENDABLE_PATH_CHAR.test(path)) return undefined;
  return `expected a path Node can send: percent-encode the character${at(path, UNSENDABLE_PATH_CHAR)} (Node refuses it with ERR_UNESCAPED_CHARACTERS)`;
}

export function headerNameProblem(name: string): string | undefined {
  try {
    validateHeaderName(name);
    return undefined;
  } catch {
    return 'expected a header name (an HTTP token: letters, digits and !#$%&\'*+-.^_`|~); Node refuses it';
  }
}

export function headerValueProblem(name: string, value: string): string | undefined {
  try {
    validateHeaderValue(name, value);
    return undefined;
  } catch {
    return `expected a header value without control characters or characters above U+00FF: it contains a character Node refuses${at(value, UNSENDABLE_VALUE_CHAR)}`;
  }
}

/** A method Node accepts, and that a health probe can complete (CONNECT never gets a response event). */
export function methodProblem(method: string): string | undefined {
  try {
    validateHeaderName(method);
  } catch {
    return `expected an HTTP method token, got ${show(method)}`;
  }
  if (method.toUpperCase() === 'CONNECT') return 'expected a method other than CONNECT: a CONNECT probe opens a tunnel and never gets a response';
  return undefined;
}
