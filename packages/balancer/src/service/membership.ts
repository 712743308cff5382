/**
 * Membership: how a complete instance list from a source becomes changes to a service's table.
 * Entries are matched to records by identity (normalised origin): kept records take the new spec
 * (weight, zone, metadata) and keep their state; unknown entries join; records missing from the
 * list drain. The plan is computed here, without side effects; the service applies it.
 */
import type { InstanceSpec } from '../instance/entry.js';
import type { InstanceRecord } from '../instance/instance.js';

export interface MembershipPlan {
  /** Entries with no record yet. */
  readonly joining: readonly InstanceSpec[];
  /** Records still listed, with their new spec. */
  readonly kept: readonly (readonly [InstanceRecord, InstanceSpec])[];
  /** Live records no longer listed that are not draining yet. */
  readonly leaving: readonly InstanceRecord[];
  /** How many kept records changed weight or zone. */
  readonly updated: number;
}

export function planMembership(records: ReadonlyMap<string, InstanceRecord>, specs: readonly InstanceSpec[]): MembershipPlan {
  const joining: InstanceSpec[] = [];
  const kept: (readonly [InstanceRecord, InstanceSpec])[] = [];
  const listed = new Set<string>();
  let updated = 0;
  for (const spec of specs) {
    if (listed.has(spec.id)) continue; // a duplicate entry: the first one wins
    listed.add(spec.id);
    const existing = records.get(spec.id);
    if (!existing) {
      joining.push(spec);
      continue;
    }
    if (existing.spec.weight !== spec.weight || existing.spec.zone !== spec.zone) updated++;
    kept.push([existing, spec]);
  }
  const leaving: InstanceRecord[] = [];
  for (const r of records.values()) if (!listed.has(r.id) && !r.draining) leaving.push(r);
  return { joining, kept, leaving, updated };
}
