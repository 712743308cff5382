/**
 * Where an attempt goes: the instance's origin, the full URL with the logical path, and the
 * Host header and TLS servername to send, as one object that does not change.
 */

export interface AttemptTarget {
  /** The instance's origin, e.g. `http://10.0.0.5:8080` (`http://10.0.0.5` on the default port). */
  readonly origin: string;
  /** The instance's origin with the logical URL's path, query and credentials. Built on each read. */
  readonly url: URL;
  /**
   * The same as text (`url.href`), built on each read without parsing a URL when the logical URL
   * carries no credentials: for clients that parse the URL they are given anyway.
   */
  readonly href: string;
  /** Host header to send, or undefined to let the client derive it from the origin (the default). */
  readonly hostHeader: string | undefined;
  /** TLS servername, or undefined for the instance's host (the default). */
  readonly servername: string | undefined;
}

/**
 * The instance's origin with `logical`'s path, query and credentials. Built from the origin
 * rather than by assigning `url.host`: the WHATWG setter keeps the old port when the new host
 * has none, which sent `http://web:8080/x` for instance `http://10.0.0.5` to port 8080.
 */
export function attemptUrl(origin: string, logical: URL): URL {
  const url = new URL(`${origin}${logical.pathname}${logical.search}`);
  if (logical.username !== '') url.username = logical.username;
  if (logical.password !== '') url.password = logical.password;
  return url;
}

/** The logical request as far as a target needs it; its URL is parsed only when read. */
export interface LogicalUrl {
  readonly url: URL;
}

/**
 * The target of an attempt on `origin` for the logical request. With `keepServiceHost`
 * (`hostHeader: 'service'`) the Host header and TLS servername keep the logical host; otherwise
 * the client derives both from the origin.
 */
export class Target implements AttemptTarget {
  readonly hostHeader: string | undefined;
  readonly servername: string | undefined;

  constructor(
    readonly origin: string,
    private readonly logical: LogicalUrl,
    keepServiceHost: boolean,
  ) {
    this.hostHeader = keepServiceHost ? logical.url.host : undefined;
    this.servername = keepServiceHost ? logical.url.hostname : undefined;
  }

  get url(): URL {
    return attemptUrl(this.origin, this.logical.url);
  }

  get href(): string {
    const logical = this.logical.url;
    // The origin, path and query are serialised already: joined, they are the URL's href.
    return logical.username === '' && logical.password === '' ? `${this.origin}${logical.pathname}${logical.search}` : attemptUrl(this.origin, logical).href;
  }
}
