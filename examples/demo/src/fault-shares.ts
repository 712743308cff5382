/**
 * How an instance's share of its service's traffic moved around its fault, from the recorder's
 * per-tick attempt counts: its share while the fault ran, and how long after the fault ended it
 * was back at half its fair share (the recovery measure: a recovered instance must not be
 * ignored). The summary prints both and the report's notes quote them.
 */
import type { FaultPeriod } from './fleet-script.js';
import type { InstanceInfo, Sample } from './recorder.js';

export interface FaultShares {
  /** The instance's share of its service's attempts in the ticks that ended while the fault ran (0..1); undefined without any. */
  readonly during: number | undefined;
  /** Its fair share: 1 / the service's instances. */
  readonly fair: number;
  /**
   * Seconds from the fault's end to the end of the first tick at which its share over the last
   * second (ticks after the end only) reached half its fair share; undefined if it never did.
   */
  readonly backAfterS: number | undefined;
}

/** Attempts of the service's instances in `ticks`, and of `name` among them. */
function attempts(ticks: readonly Sample[], names: readonly string[], name: string): { mine: number; all: number } {
  let mine = 0;
  let all = 0;
  for (const t of ticks) {
    for (const n of names) {
      const a = t.instances[n]?.attempts ?? 0;
      all += a;
      if (n === name) mine += a;
    }
  }
  return { mine, all };
}

/** Fewest attempts of the service in a window for a share to mean anything. */
const MIN_ATTEMPTS = 5;
const WINDOW_MS = 1_000;

export function faultShares(fault: FaultPeriod, instances: readonly InstanceInfo[], samples: readonly Sample[]): FaultShares {
  const names = instances.filter((i) => i.service === fault.service).map((i) => i.name);
  const fair = names.length > 0 ? 1 / names.length : 0;
  const within = attempts(
    samples.filter((s) => s.tMs > fault.startMs && s.tMs <= fault.endMs),
    names,
    fault.instance,
  );
  let backAfterS: number | undefined;
  const after = samples.filter((s) => s.tMs > fault.endMs);
  for (const [i, tick] of after.entries()) {
    const window = after.slice(0, i + 1).filter((s) => s.tMs > tick.tMs - WINDOW_MS);
    const { mine, all } = attempts(window, names, fault.instance);
    if (all >= MIN_ATTEMPTS && mine / all >= fair / 2) {
      backAfterS = Math.round((tick.tMs - fault.endMs) / 100) / 10;
      break;
    }
  }
  return { during: within.all > 0 ? within.mine / within.all : undefined, fair, backAfterS };
}
