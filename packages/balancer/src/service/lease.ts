/**
 * The pick result: data, not an exception (grpc-js's picker). A successful pick carries the
 * instance and a `done(outcome)` callback through which the outcome flows back to in-flight
 * counts, the strategy (EWMA), outlier detection and metrics.
 */
import type { NoAvailableInstanceError } from '../errors.js';
import type { Instance, InstanceRecord } from '../instance/instance.js';
import type { Outcome } from '../outcome.js';

export interface PickedInstance {
  readonly ok: true;
  readonly service: string;
  readonly instance: Instance;
  /**
   * Reports how the attempt ended. Call it exactly once per pick, when the attempt is over
   * (response fully read, failed, or cancelled); later calls are ignored.
   */
  done(outcome: Outcome): void;
}

export interface NoInstance {
  readonly ok: false;
  readonly error: NoAvailableInstanceError;
}

export type PickResult = PickedInstance | NoInstance;

/** Receives a lease's outcome (the service). */
export interface LeaseOwner {
  release(lease: Lease, outcome: Outcome): void;
}

/** A picked instance held by one attempt. */
export class Lease implements PickedInstance {
  readonly ok = true as const;
  private settled = false;

  constructor(
    private readonly owner: LeaseOwner,
    readonly service: string,
    readonly instance: InstanceRecord,
    /** Runtime time of the pick, ms. */
    readonly startedAt: number,
    readonly method: string | undefined,
  ) {}

  done(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.owner.release(this, outcome);
  }
}
