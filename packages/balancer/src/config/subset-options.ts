/** Deterministic subsetting (`services.<name>.subset`): this client balances over a stable slice of the instances. */
export interface SubsetOptions {
  /** Instances per client, an integer from 1 to 10,000. Required. */
  readonly size: number;
  /**
   * This client's identity. With `clientCount`, its index: an integer in [0, clientCount), which
   * spreads clients evenly (every instance gets the same number of clients, +-1). Without it, any
   * string or integer, hashed to a place on the ring (stable, balanced only statistically).
   * Default: `hostname:pid`, stable for the life of the process.
   */
  readonly clientId?: string | number;
  /** How many clients share the fleet (e.g. the replicas of this deployment). Default: unknown. */
  readonly clientCount?: number;
}
