/**
 * The fault script: turns the scenario's faults and fleet events into scheduled changes of the
 * simulated instances and of what discovery announces.
 */
import type { SimFleet } from './fleet.js';
import { NO_FAULT } from './instance.js';
import type { Fault, FleetEvent, InstanceGroup, InstanceSelector } from './scenario.js';
import type { Scheduler } from './scheduler.js';
import { deriveSeed } from './seeds.js';

/** How long an instance withdrawn from discovery keeps serving before it stops (Kubernetes' grace). */
const GRACE_MS = 30_000;

/** The slots a selector names, in order, within the fleet's current slots; `seed` draws samples. */
export function selectSlots(selector: InstanceSelector, zones: readonly (string | undefined)[], seed = 1): number[] {
  const n = zones.length;
  const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  if (selector === 'all') return zones.map((_, i) => i);
  if (typeof selector === 'number') return valid(selector) ? [selector] : [];
  if (Array.isArray(selector)) return (selector as readonly number[]).filter(valid);
  if ('sample' in selector) {
    const ranked = zones.map((_, i) => ({ i, rank: deriveSeed(seed, 'sample', i) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
    return ranked
      .slice(0, selector.sample)
      .map((x) => x.i)
      .sort((a, b) => a - b);
  }
  if ('zone' in selector) {
    const inZone = zones.flatMap((z, i) => (z === selector.zone ? [i] : []));
    return inZone.slice(0, selector.count ?? inZone.length);
  }
  const range = selector as { from: number; to: number };
  return zones.flatMap((_, i) => (i >= range.from && i < range.to ? [i] : []));
}

export function scheduleFault(fault: Fault, scheduler: Scheduler, fleet: SimFleet, seed: number): void {
  const at = (s: number, fn: () => void) => scheduler.after(s * 1000, fn);
  for (const slot of selectSlots(fault.instances, fleet.slotZones, seed)) {
    const current = () => fleet.slots[slot]!;
    switch (fault.kind) {
      case 'slow':
        at(fault.fromS, () => void (current().fault.slowFactor = fault.factor));
        at(fault.toS, () => void (current().fault.slowFactor = 1));
        break;
      case 'errors':
        at(fault.fromS, () =>
          Object.assign(current().fault, {
            errorRate: fault.rate,
            errorStatus: fault.status ?? NO_FAULT.errorStatus,
            errorLatencyMs: fault.latencyMs ?? NO_FAULT.errorLatencyMs,
            healthFails: fault.health === 'fail',
          }),
        );
        at(fault.toS, () => Object.assign(current().fault, { errorRate: 0, healthFails: false }));
        break;
      case 'crash':
        at(fault.fromS, () => current().crash());
        at(fault.toS, () => current().start());
        break;
      case 'hang':
        at(fault.fromS, () => void (current().fault.hang = true));
        at(fault.toS, () => void (current().fault.hang = false));
        break;
      case 'flap':
        for (let t = fault.fromS + fault.upS; t < fault.toS; t += fault.upS + fault.downS) {
          at(t, () => current().crash());
          at(Math.min(fault.toS, t + fault.downS), () => current().start());
        }
        break;
    }
  }
}

export function scheduleEvent(event: FleetEvent, scheduler: Scheduler, fleet: SimFleet, seed: number, groupOf: (slot: number) => InstanceGroup): void {
  const at = (s: number, fn: () => void) => scheduler.after(s * 1000, fn);
  switch (event.kind) {
    case 'add':
      at(event.atS, () => void fleet.addGroup(event.group));
      break;
    case 'remove':
      at(event.atS, () => {
        const leaving = selectSlots(event.instances, fleet.slotZones, seed).map((slot) => fleet.slots[slot]!);
        fleet.withdraw(...leaving);
        scheduler.after(GRACE_MS, () => leaving.forEach((i) => fleet.retire(i)));
      });
      break;
    case 'deploy': {
      const startupMs = (event.startupS ?? 5) * 1000;
      const warmupMs = (event.warmupS ?? 0) * 1000;
      const cold = event.coldFactor ?? 1;
      at(event.atS, () => {
        const slots = fleet.slots.length;
        for (let b = 0; b * event.batch < slots; b++) {
          scheduler.after(b * event.intervalS * 1000, () => {
            for (let slot = b * event.batch; slot < Math.min(slots, (b + 1) * event.batch); slot++) {
              const old = fleet.slots[slot]!;
              if (event.replace === false) {
                old.crash();
                scheduler.after(startupMs, () => old.start(warmupMs, cold));
                continue;
              }
              fleet.withdraw(old);
              scheduler.after(GRACE_MS, () => fleet.retire(old));
              const next = fleet.replace(slot, groupOf(slot));
              next.up = false;
              scheduler.after(startupMs, () => {
                next.start(warmupMs, cold);
                fleet.announce(next);
              });
            }
          });
        }
      });
      break;
    }
  }
}
