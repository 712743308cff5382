/** Zone-aware routing (`services.<name>.zoneAware`): keep traffic in the caller's zone while it has capacity. */
export interface ZoneAwareOptions {
  /**
   * How the callers of this service are spread over zones: a count (or any weight) per zone,
   * e.g. `{ a: 40, b: 40, c: 20 }` (Envoy's "local cluster"). Must include the balancer's own
   * zone. Required.
   */
  readonly callers: Readonly<Record<string, number>>;
  /** Healthy instances needed before routing by zone; below it every zone is used. Default 6 (Envoy). */
  readonly minClusterSize?: number;
}
