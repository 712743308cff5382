/**
 * What the simulation measures, per second of simulated time and in total: attempts per
 * instance slot, distinct clients per slot (connections), callers' outcomes and latency, local
 * vs cross-zone attempts, ejections, unhealthy marks and panic as the clients' balancers saw them.
 */
import type { CallEnd } from './driver.js';
import { Histogram } from './histogram.js';

/** One second of the run. */
export class Second {
  requests = 0;
  succeeded = 0;
  readonly latency = new Histogram();
  ejections = 0;
  /** (client, instance) pairs ejected / unhealthy, and clients in panic, at the end of the second. */
  ejected = 0;
  unhealthy = 0;
  panicking = 0;
}

export interface ClientTotals {
  requests: number;
  succeeded: number;
  readonly latency: Histogram;
}

export class Recorder {
  readonly seconds: Second[];
  readonly slotNames: string[] = [];
  readonly slotZones: (string | undefined)[] = [];
  /** Attempts per slot per second. */
  readonly attempts: Int32Array[] = [];
  /** Per slot: which clients ever sent it an attempt (one byte per client). */
  private readonly seen: Uint8Array[] = [];
  readonly connections: number[] = [];
  readonly clients: ClientTotals[];
  readonly latency = new Histogram();
  readonly failures: Record<string, number> = {};
  readonly ejectionReasons: Record<string, number> = {};
  /** Attempts per second by caller zone, then by the instance's zone ('-' when it has none). */
  readonly zoneAttempts = new Map<string, Map<string, Int32Array>>();
  requests = 0;
  succeeded = 0;
  attemptsTotal = 0;
  retried = 0;
  ejections = 0;
  panics = 0;
  private ejectedNow = 0;
  private unhealthyNow = 0;
  private panickingNow = 0;

  constructor(
    durationS: number,
    private readonly clientZones: readonly (string | undefined)[],
    private readonly now: () => number,
  ) {
    this.seconds = Array.from({ length: Math.ceil(durationS) }, () => new Second());
    this.clients = clientZones.map(() => ({ requests: 0, succeeded: 0, latency: new Histogram() }));
  }

  private second(tMs: number): Second | undefined {
    return this.seconds[Math.floor(tMs / 1000)];
  }

  addSlot(name: string, zone: string | undefined): void {
    this.slotNames.push(name);
    this.slotZones.push(zone);
    this.attempts.push(new Int32Array(this.seconds.length));
    this.seen.push(new Uint8Array(this.clientZones.length));
    this.connections.push(0);
  }

  attempt(slot: number, client: number): void {
    const s = Math.floor(this.now() / 1000);
    const row = this.attempts[slot]!;
    if (s < row.length) row[s]!++;
    const seen = this.seen[slot]!;
    if (seen[client] === 0) {
      seen[client] = 1;
      this.connections[slot]!++;
    }
    const zone = this.clientZones[client];
    if (zone !== undefined && s < this.seconds.length) {
      let byTarget = this.zoneAttempts.get(zone);
      if (!byTarget) this.zoneAttempts.set(zone, (byTarget = new Map()));
      const target = this.slotZones[slot] ?? '-';
      let perSecond = byTarget.get(target);
      if (!perSecond) byTarget.set(target, (perSecond = new Int32Array(this.seconds.length)));
      perSecond[s]!++;
    }
  }

  /** A call sent at `sentAt` ended now. */
  call(client: number, sentAt: number, end: CallEnd): void {
    const latencyMs = this.now() - sentAt;
    const ok = end.status !== undefined && end.status < 500;
    const c = this.clients[client]!;
    c.requests++;
    this.requests++;
    this.attemptsTotal += end.attempts;
    if (end.attempts > 1) this.retried += end.attempts - 1;
    const s = this.second(sentAt);
    if (s) s.requests++;
    if (ok) {
      c.succeeded++;
      this.succeeded++;
      c.latency.record(latencyMs);
      this.latency.record(latencyMs);
      if (s) {
        s.succeeded++;
        s.latency.record(latencyMs);
      }
    } else {
      const kind = end.failure ?? `status ${end.status}`;
      this.failures[kind] = (this.failures[kind] ?? 0) + 1;
    }
  }

  ejection(reason: string): void {
    this.ejections++;
    this.ejectionReasons[reason] = (this.ejectionReasons[reason] ?? 0) + 1;
    const s = this.second(this.now());
    if (s) s.ejections++;
  }

  stateChange(from: string, to: string): void {
    if (from === 'ejected') this.ejectedNow--;
    if (to === 'ejected') this.ejectedNow++;
    if (from === 'unhealthy') this.unhealthyNow--;
    if (to === 'unhealthy') this.unhealthyNow++;
  }

  panic(entered: boolean): void {
    this.panickingNow += entered ? 1 : -1;
    if (entered) this.panics++;
  }

  /** Closes second `index`: records the gauges as they are now. */
  sample(index: number): void {
    const s = this.seconds[index];
    if (!s) return;
    s.ejected = this.ejectedNow;
    s.unhealthy = this.unhealthyNow;
    s.panicking = this.panickingNow;
  }
}
