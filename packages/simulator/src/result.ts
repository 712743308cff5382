/**
 * The result of a run: plain JSON, every figure rounded, nothing read from the real clock, so the
 * same scenario and seed give the same bytes.
 */
import type { SimClient } from './client.js';
import { selectSlots } from './faults.js';
import type { SimFleet } from './fleet.js';
import type { Histogram } from './histogram.js';
import type { Recorder } from './recorder.js';
import type { MembershipEntry } from './membership.js';
import type { Scenario } from './scenario.js';

/** Minimum, median and maximum of a figure over instances or clients. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** What a simulation run reports: callers' success and latency, per-instance load and connections, zones, ejections and panic, a timeline. */
export interface SimResult {
  readonly scenario: {
    readonly name: string;
    readonly description: string;
    readonly seed: number;
    readonly durationS: number;
    readonly clients: number;
    readonly instances: number;
    readonly subset: string;
    readonly zoneAware: boolean;
  };
  readonly callers: {
    readonly requests: number;
    readonly succeeded: number;
    /** Share of the finished calls that got a response below 500, %. */
    readonly successPercent: number;
    /** Calls still waiting when the run ended (sent in its last moments, or stuck on a hung instance). */
    readonly unfinished: number;
    readonly failures: Readonly<Record<string, number>>;
    readonly latencyMs: { readonly p50?: number; readonly p90?: number; readonly p99?: number; readonly p999?: number; readonly max: number };
    readonly attemptsPerCall: number;
    /** Retries as a share of calls, %. */
    readonly retryPercent: number;
    /** Spread over clients of their success rate (%) and p99 (ms). */
    readonly clientSuccessPercent: Spread;
    readonly clientP99Ms: Spread;
  };
  readonly instances: readonly {
    readonly name: string;
    readonly zone: string | undefined;
    readonly attempts: number;
    readonly sharePercent: number;
    /** Distinct clients that sent it at least one attempt. */
    readonly connections: number;
    readonly peakPerS: number;
  }[];
  readonly connections: Spread & { readonly mean: number; readonly total: number };
  /**
   * By callers' zone: attempts, the share that stayed in the zone, and attempts per second by the
   * instance's zone (`to`), so any window can be summed.
   */
  readonly zones: Readonly<Record<string, { readonly attempts: number; readonly localPercent: number; readonly to: Readonly<Record<string, readonly number[]>> }>>;
  readonly ejections: {
    readonly total: number;
    readonly byReason: Readonly<Record<string, number>>;
    /** Most (client, instance) pairs ejected at once, at a second boundary. */
    readonly maxEjected: number;
    readonly panics: number;
    readonly maxClientsInPanic: number;
  };
  readonly timeline: readonly {
    readonly t: number;
    readonly requests: number;
    readonly successPercent: number;
    readonly p50Ms?: number;
    readonly p99Ms?: number;
    readonly ejections: number;
    readonly ejected: number;
    readonly unhealthy: number;
    readonly panicking: number;
    /** Attempts per instance in that second: least, median and most loaded. */
    readonly load: Spread;
  }[];
  /** Attempts per second of the highlighted instances. */
  readonly series: Readonly<Record<string, readonly number[]>>;
  /** Faults and fleet events (deploy, add, remove) as shown in the report: instance names and windows. */
  readonly faults: readonly { readonly kind: string; readonly instances: readonly string[]; readonly fromS: number; readonly toS: number }[];
  /** Clients' instance tables at the scenario's `membershipAtS` times. */
  readonly membership: readonly MembershipEntry[];
  /** Simulation events run (a measure of the work done). */
  readonly events: number;
}

const r = (v: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const percent = (part: number, whole: number): number => (whole > 0 ? r((100 * part) / whole) : 0);

function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { min: r(sorted[0]!), median: r(sorted[Math.floor((sorted.length - 1) / 2)]!), max: r(sorted[sorted.length - 1]!) };
}

function quantiles(h: Histogram): SimResult['callers']['latencyMs'] {
  const q = (name: string, p: number) => {
    const v = h.quantile(p);
    return v === undefined ? {} : { [name]: r(v) };
  };
  return { ...q('p50', 0.5), ...q('p90', 0.9), ...q('p99', 0.99), ...q('p999', 0.999), max: r(h.max) };
}

export function buildResult(
  scenario: Scenario,
  seed: number,
  rec: Recorder,
  fleet: SimFleet,
  clients: readonly SimClient[],
  unfinished: number,
  events: number,
  membership: readonly MembershipEntry[],
): SimResult {
  const totalAttempts = rec.attempts.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  const instances = rec.slotNames.map((name, slot) => {
    const row = rec.attempts[slot]!;
    const attempts = row.reduce((a, b) => a + b, 0);
    return { name, zone: rec.slotZones[slot], attempts, sharePercent: percent(attempts, totalAttempts), connections: rec.connections[slot]!, peakPerS: Math.max(0, ...row) };
  });
  const faults: { kind: string; instances: string[]; fromS: number; toS: number }[] = (scenario.faults ?? []).map((f) => ({
    kind: f.kind,
    instances: selectSlots(f.instances, fleet.slotZones, seed).map((s) => rec.slotNames[s]!),
    fromS: f.fromS,
    toS: f.toS,
  }));
  // Fleet events as windows too: a deploy spans its batches; adds and removals are marks.
  for (const e of scenario.events ?? []) {
    if (e.kind === 'deploy') {
      const batches = Math.ceil(rec.slotNames.length / e.batch);
      faults.push({ kind: 'deploy', instances: [`${rec.slotNames.length} instances`], fromS: e.atS, toS: e.atS + (batches - 1) * e.intervalS + (e.startupS ?? 5) + (e.warmupS ?? 0) });
    } else if (e.kind === 'remove') {
      faults.push({ kind: 'remove', instances: selectSlots(e.instances, fleet.slotZones, seed).map((s) => rec.slotNames[s]!), fromS: e.atS, toS: e.atS + 0.5 });
    } else faults.push({ kind: 'add', instances: [`${e.group.count} new`], fromS: e.atS, toS: e.atS + 0.5 });
  }
  const faulty = [...new Set(faults.filter((f) => f.kind !== 'deploy' && f.kind !== 'add' && f.kind !== 'remove').flatMap((f) => f.instances))];
  const highlighted =
    scenario.highlight?.map((s) => rec.slotNames[s]).filter((n): n is string => n !== undefined) ??
    (faulty.length > 0 ? faulty.slice(0, 8) : rec.slotNames.slice(0, Math.min(6, rec.slotNames.length)));
  const series: Record<string, number[]> = {};
  for (const name of highlighted) series[name] = [...rec.attempts[rec.slotNames.indexOf(name)]!];
  const byName = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  const zones: Record<string, { attempts: number; localPercent: number; to: Record<string, number[]> }> = {};
  for (const [zone, byTarget] of byName(rec.zoneAttempts)) {
    const to = Object.fromEntries(byName(byTarget).map(([target, perS]) => [target, [...perS]]));
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    const attempts = sum(Object.values(to).map(sum));
    zones[zone] = { attempts, localPercent: percent(sum(to[zone] ?? []), attempts), to };
  }
  const serving = clients.filter((c) => rec.clients[c.options.index]!.requests > 0).map((c) => rec.clients[c.options.index]!);
  const sortedRecord = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  const requests = rec.requests + unfinished;
  return {
    scenario: {
      name: scenario.name,
      description: scenario.description,
      seed,
      durationS: scenario.durationS,
      clients: clients.length,
      instances: rec.slotNames.length,
      subset: scenario.subset ? `${scenario.subset.mode ?? 'deterministic'} ${scenario.subset.size}` : 'none',
      zoneAware: scenario.zoneAware !== undefined && scenario.zoneAware !== false,
    },
    callers: {
      requests,
      succeeded: rec.succeeded,
      successPercent: percent(rec.succeeded, rec.requests),
      unfinished,
      failures: sortedRecord(rec.failures),
      latencyMs: quantiles(rec.latency),
      attemptsPerCall: rec.requests > 0 ? r(rec.attemptsTotal / rec.requests, 4) : 0,
      retryPercent: percent(rec.retried, rec.requests),
      clientSuccessPercent: spread(serving.map((c) => (100 * c.succeeded) / c.requests)),
      clientP99Ms: spread(serving.map((c) => c.latency.quantile(0.99) ?? 0)),
    },
    instances,
    connections: { ...spread(instances.map((i) => i.connections)), mean: r(instances.reduce((n, i) => n + i.connections, 0) / Math.max(1, instances.length)), total: instances.reduce((n, i) => n + i.connections, 0) },
    zones,
    ejections: {
      total: rec.ejections,
      byReason: sortedRecord(rec.ejectionReasons),
      maxEjected: Math.max(0, ...rec.seconds.map((s) => s.ejected)),
      panics: rec.panics,
      maxClientsInPanic: Math.max(0, ...rec.seconds.map((s) => s.panicking)),
    },
    timeline: rec.seconds.map((s, t) => {
      const p50 = s.latency.quantile(0.5);
      const p99 = s.latency.quantile(0.99);
      return {
        t,
        requests: s.requests,
        successPercent: percent(s.succeeded, s.requests),
        ...(p50 === undefined ? {} : { p50Ms: r(p50) }),
        ...(p99 === undefined ? {} : { p99Ms: r(p99) }),
        ejections: s.ejections,
        ejected: s.ejected,
        unhealthy: s.unhealthy,
        panicking: s.panicking,
        load: spread(rec.attempts.map((row) => row[t] ?? 0)),
      };
    }),
    series,
    faults,
    membership,
    events,
  };
}
