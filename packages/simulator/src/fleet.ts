/**
 * The simulated fleet: instances by slot (a slot keeps its place in the report when a deploy
 * replaces its instance), the network between callers and instances, and the list discovery
 * announces.
 */
import type { SendResult } from './driver.js';
import { REFUSED, SimInstance } from './instance.js';
import type { Recorder } from './recorder.js';
import type { InstanceGroup } from './scenario.js';
import type { Scheduler } from './scheduler.js';
import { deriveSeed } from './seeds.js';
import { seededRandom } from '@datapunk/balancer/testing';

/** An entry of the announced list, as discovery delivers it to the core. */
export interface Announced {
  readonly url: string;
  readonly zone?: string;
  readonly weight: number;
}

export interface FleetOptions {
  readonly seed: number;
  readonly rttMs: number;
  readonly crossZoneRttMs: number;
}

/** Receives every new announced list (each client's discovery). */
export type ListListener = (entries: readonly Announced[]) => void;

export class SimFleet {
  /** The current instance of each slot. */
  readonly slots: SimInstance[] = [];
  /** Slot of each group-defined instance, for reports: zone and group are fixed per slot. */
  readonly slotZones: (string | undefined)[] = [];
  private readonly byUrl = new Map<string, SimInstance>();
  private readonly announced = new Set<SimInstance>();
  private readonly slotOf = new Map<SimInstance, number>();
  private readonly listeners: ListListener[] = [];
  private entries: readonly Announced[] = [];
  private addresses = 0;
  private generations = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly recorder: Recorder,
    private readonly options: FleetOptions,
  ) {}

  /** Adds a group's instances as new slots, announced at once. Returns their slots. */
  addGroup(group: InstanceGroup): number[] {
    const added: number[] = [];
    for (let i = 0; i < group.count; i++) {
      const slot = this.slots.length;
      this.slotZones.push(group.zone);
      const instance = this.create(slot, group);
      this.slots.push(instance);
      this.recorder.addSlot(`i-${slot}`, group.zone);
      this.announced.add(instance);
      added.push(slot);
    }
    this.publish();
    return added;
  }

  /** Replaces the instance of `slot` by a new one (new address) of the same group; not announced yet. */
  replace(slot: number, group: InstanceGroup): SimInstance {
    const next = this.create(slot, group);
    this.slots[slot] = next;
    return next;
  }

  announce(instance: SimInstance): void {
    this.announced.add(instance);
    this.publish();
  }

  /** Takes instances out of the announced list (one update for all of them). */
  withdraw(...instances: SimInstance[]): void {
    let changed = false;
    for (const i of instances) changed = this.announced.delete(i) || changed;
    if (changed) this.publish();
  }

  /** Stops an instance that left for good (after its drain): its address refuses from now on. */
  retire(instance: SimInstance): void {
    instance.crash();
    this.byUrl.delete(instance.url);
  }

  /** The list discovery announces now. */
  list(): readonly Announced[] {
    return this.entries;
  }

  onList(listener: ListListener): void {
    this.listeners.push(listener);
  }

  /** One attempt from a client to the instance at `origin`, over the simulated network. */
  send(client: number, clientZone: string | undefined, origin: string, onDone: (result: SendResult) => void): void {
    const instance = this.byUrl.get(origin);
    const s = this.scheduler;
    if (instance === undefined) {
      s.after(this.options.rttMs, () => onDone({ error: REFUSED }));
      return;
    }
    const slot = this.slotOf.get(instance)!;
    this.recorder.attempt(slot, client);
    const oneWay = this.oneWayMs(clientZone, instance);
    s.after(oneWay, () => instance.receive((result) => s.after(oneWay, () => onDone(result))));
  }

  /** A health probe from a client; `reply` gets whether it passed (never, when the instance hangs). */
  probe(clientZone: string | undefined, origin: string, reply: (passed: boolean) => void): void {
    const instance = this.byUrl.get(origin);
    const s = this.scheduler;
    if (instance === undefined) {
      s.after(this.options.rttMs, () => reply(false));
      return;
    }
    const oneWay = this.oneWayMs(clientZone, instance);
    s.after(oneWay, () => instance.probe((passed) => s.after(oneWay, () => reply(passed))));
  }

  private oneWayMs(clientZone: string | undefined, instance: SimInstance): number {
    const cross = clientZone !== instance.options.zone ? this.options.crossZoneRttMs : 0;
    return (this.options.rttMs + cross) / 2;
  }

  private create(slot: number, group: InstanceGroup): SimInstance {
    const n = this.addresses++;
    const url = `http://10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:8080`;
    const generation = this.generations++;
    const instance = new SimInstance(
      {
        index: n,
        name: `i-${slot}`,
        url,
        zone: group.zone,
        weight: group.weight ?? 1,
        workers: group.workers ?? 16,
        queue: group.queue ?? 128,
        serviceMs: group.serviceMs ?? { kind: 'lognormal', medianMs: 10, sigma: 0.4 },
      },
      this.scheduler,
      seededRandom(deriveSeed(this.options.seed, 'instance', generation)),
    );
    this.byUrl.set(url, instance);
    this.slotOf.set(instance, slot);
    return instance;
  }

  private publish(): void {
    const entries: Announced[] = [];
    for (const i of this.announced) {
      entries.push(i.options.zone === undefined ? { url: i.url, weight: i.options.weight } : { url: i.url, zone: i.options.zone, weight: i.options.weight });
    }
    this.entries = Object.freeze(entries);
    for (const l of this.listeners) l(this.entries);
  }
}
