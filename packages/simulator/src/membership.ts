/**
 * Reads every client's instance table (through `balancer.snapshot()`) at given times: how many
 * clients hold each instance (subset balance) and how much of each client's table changed since
 * the previous reading (subset churn).
 */
import type { Balancer } from '@datapunk/balancer';

export interface MembershipEntry {
  readonly atS: number;
  /** Instances held by at least one client. */
  readonly instances: number;
  /** Clients holding each of those instances. */
  readonly clientsPerInstance: { readonly min: number; readonly mean: number; readonly max: number };
  /** Instances per client. */
  readonly perClient: { readonly min: number; readonly max: number };
  /** Share of a client's previous table no longer in it, %: mean and most (absent the first time). */
  readonly changedPercent?: { readonly mean: number; readonly max: number };
  /** The same, counting only instances still in the fleet (held by some client): churn not forced by removals. */
  readonly unforcedPercent?: { readonly mean: number; readonly max: number };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

export class MembershipLog {
  readonly entries: MembershipEntry[] = [];
  private previous: Set<string>[] | undefined;

  constructor(private readonly balancers: readonly Balancer[]) {}

  read(atS: number): void {
    const tables = this.balancers.map(
      (b) => new Set(Object.values(b.snapshot().services).flatMap((s) => s.instances.filter((i) => i.state !== 'draining').map((i) => i.id))),
    );
    const holders = new Map<string, number>();
    for (const t of tables) for (const id of t) holders.set(id, (holders.get(id) ?? 0) + 1);
    const counts = [...holders.values()];
    const sizes = tables.map((t) => t.size);
    const entry: MembershipEntry = {
      atS,
      instances: holders.size,
      clientsPerInstance: {
        min: counts.length ? Math.min(...counts) : 0,
        mean: counts.length ? r2(counts.reduce((a, b) => a + b, 0) / counts.length) : 0,
        max: counts.length ? Math.max(...counts) : 0,
      },
      perClient: { min: Math.min(...sizes), max: Math.max(...sizes) },
    };
    const before = this.previous;
    if (before) {
      const changed: number[] = [];
      const unforced: number[] = [];
      tables.forEach((t, i) => {
        const old = before[i]!;
        let gone = 0;
        let stillThere = 0;
        for (const id of old) {
          if (t.has(id)) continue;
          gone++;
          if (holders.has(id)) stillThere++;
        }
        changed.push(old.size > 0 ? (100 * gone) / old.size : 0);
        unforced.push(old.size > 0 ? (100 * stillThere) / old.size : 0);
      });
      const summary = (xs: number[]) => ({ mean: r2(xs.reduce((a, b) => a + b, 0) / xs.length), max: r2(Math.max(...xs)) });
      this.entries.push({ ...entry, changedPercent: summary(changed), unforcedPercent: summary(unforced) });
    } else this.entries.push(entry);
    this.previous = tables;
  }
}
