/**
 * The discovery interface: a source that delivers instance lists (and errors) to a service over
 * time. The service diffs each list against what it has: kept instances keep their state, new
 * ones join, missing ones drain. A source never needs to validate entries itself: the service
 * skips bad entries with a warning and keeps the good ones.
 */

/** A record a source skipped, with where it came from and why. */
export interface DiscoveryIssue {
  /** Where the record came from, e.g. `/datapunk/services/orders/a` or `SRV _http._tcp.orders`. */
  readonly path: string;
  readonly message: string;
}

/** What a source reports to. */
export interface DiscoverySink {
  /**
   * A complete, current list of instances: origin strings or `{ url, weight?, zone?, metadata? }`.
   * Bad entries are skipped with a warning. An empty list is applied (every instance drains).
   * `rejected` lists records the source itself skipped (named by the source's own path, e.g. an
   * etcd key or a DNS record), so they are logged and counted with the service's own rejects.
   */
  update(entries: readonly unknown[], details?: { readonly rejected?: readonly DiscoveryIssue[] }): void;
  /** The source failed to refresh; the last good list stays in use. */
  error(error: unknown): void;
}

/** Keeps a service's instance list current: started with a sink it reports complete lists to, closed with the balancer. */
export interface DiscoverySource {
  /** Short name for logs and metrics, e.g. `static`, `dns`, `etcd`. */
  readonly kind: string;
  /** Starts delivering to `sink`. Called once per service. */
  start(sink: DiscoverySink): void;
  /** Stops every timer, watch and socket. */
  close(): Promise<void> | void;
}
