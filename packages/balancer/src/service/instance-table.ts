/**
 * A service's instance table: its live records by identity (normalised origin), and who waits
 * for it to empty (close() waits for every instance to drain). Removing a record here is final:
 * it is marked not live (its late outcomes are ignored) and its timers are cancelled. State
 * changes are not made here but by the service's transition function.
 */
import type { InstanceRecord } from '../instance/instance.js';

export class InstanceTable {
  private readonly byId = new Map<string, InstanceRecord>();
  private emptyWaiters: (() => void)[] = [];

  get size(): number {
    return this.byId.size;
  }

  /** The records by identity, for membership diffs. */
  get map(): ReadonlyMap<string, InstanceRecord> {
    return this.byId;
  }

  values(): IterableIterator<InstanceRecord> {
    return this.byId.values();
  }

  add(r: InstanceRecord): void {
    this.byId.set(r.id, r);
  }

  /** Takes `r` out for good: not live any more, its ejection and drain timers cancelled. */
  remove(r: InstanceRecord): void {
    r.live = false;
    r.ejection?.timer.cancel();
    r.draining?.timer.cancel();
    this.byId.delete(r.id);
    if (this.byId.size > 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once the table is empty. */
  whenEmpty(): Promise<void> {
    if (this.byId.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }
}
