/**
 * Redaction of secrets in text the balancer shows: error messages, log lines, metric attributes
 * and snapshots. One place, so every message site redacts the same way.
 *
 * What counts as a secret here: the userinfo of a URL (`http://admin:hunter2@10.0.0.5` is shown
 * as `http://***@10.0.0.5`) and the values of its query (`?token=abc` as `?token=***`). Instance
 * identities are origins (`URL.origin` never has userinfo or a query), so they need no
 * redaction; what needs it is raw input echoed back: a rejected entry, an option value, the
 * message of an error a discovery source or a health check reported.
 */

/** Redacted text that replaces a secret. */
export const REDACTED = '***';

/**
 * A scheme and its slashes, where an authority begins: `x://`, `x:\\`, or a special scheme
 * without slashes (`http:admin:pw@host` parses as `http://admin:pw@host`). `admin:` alone is
 * not a scheme here: in `admin:pw@host` it is a user name.
 */
const SCHEME = String.raw`(?:[a-z][a-z0-9+.-]*:[/\\]+|(?:https?|wss?|ftp):[/\\]*)`;
const SCHEME_PREFIX = new RegExp(`^${SCHEME}`, 'i');
/** `name=value` pairs of a query, until the fragment. */
const QUERY_VALUE = /([?&][^=&#]*=)[^&#]*/g;

/**
 * Redacts one value that may be a URL (an option value, a discovery entry): everything from the
 * start of its authority to its last `@` becomes `***`, and so does every query value.
 *
 * Deliberately over-inclusive: WHATWG URL parsing takes the *last* `@` of the authority as the
 * end of the userinfo, and values that fail to parse (a password holding `/` or `#`) are still
 * someone's password, so any `@` counts. A value without `@` or `?` is returned unchanged.
 * Redact before truncating: cutting first could keep a secret and drop the `@` that marks it.
 */
export function redactUrl(value: string): string {
  let out = value;
  const at = out.lastIndexOf('@');
  if (at >= 0) {
    const start = SCHEME_PREFIX.exec(out)?.[0].length ?? 0;
    out = `${out.slice(0, start)}${REDACTED}${out.slice(at)}`;
  }
  if (out.includes('?') && SCHEME_PREFIX.test(out)) out = out.replace(QUERY_VALUE, `$1${REDACTED}`);
  return out;
}

/** Characters that end a URL inside free text. */
const END = String.raw`\s"'\x60<>()[\]{}`;
/** `scheme://userinfo@` inside free text (the scheme's slashes may be missing or backslashes). */
const USERINFO_AFTER_SCHEME = new RegExp(String.raw`\b(${SCHEME})(?:[^${END}/\\?#@]*@)+`, 'gi');
/** `user:password@host` without a scheme, at the start of a word. */
const USER_PASSWORD = new RegExp(String.raw`(^|[${END},;=])[^${END}/\\?#@:,;=]+:(?!\*\*\*@)(?:[^${END}/\\?#@]*@)+`, 'g');
/** Query values of URLs inside free text. */
const QUERY_IN_TEXT = new RegExp(String.raw`(\b[a-z][a-z0-9+.-]*://[^${END}?#]*\?)([^${END}#]*)`, 'gi');

/**
 * Redacts every URL inside free text (an error message, a problem reported by a discovery
 * source): userinfo after a scheme, `user:password@` without one, and query values. Text around
 * them is kept, so the message still says what happened.
 */
export function redactText(text: string): string {
  if (!text.includes('@') && !text.includes('?')) return text;
  return text
    .replace(USERINFO_AFTER_SCHEME, `$1${REDACTED}@`)
    .replace(USER_PASSWORD, `$1${REDACTED}@`)
    .replace(QUERY_IN_TEXT, (_m, head: string, query: string) => head + query.replace(/(^|&)([^=&]*=)[^&]*/g, `$1$2${REDACTED}`));
}
