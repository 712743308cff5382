/**
 * Runs a scenario: builds the fleet and the clients on one scheduler, schedules the fault script,
 * runs the virtual clock to the end, and returns the result (see `result.ts`).
 */
import type { ServiceOptions } from '@datapunk/balancer';
import { SimClient } from './client.js';
import { scheduleEvent, scheduleFault } from './faults.js';
import { SimFleet } from './fleet.js';
import { MembershipLog } from './membership.js';
import { Recorder } from './recorder.js';
import { buildResult, type SimResult } from './result.js';
import { asList, type ClientInfo, type InstanceGroup, type Scenario } from './scenario.js';
import { Scheduler } from './scheduler.js';

/** Virtual time allowed for the balancers to close after the run (drain timeouts included). */
const CLOSE_BOUND_MS = 120_000;

/** Options of a simulation run: a seed overriding the scenario's, a progress callback. */
export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Called once per simulated second (progress). */
  readonly onSecond?: (second: number, of: number) => void;
}

/** The callers' spread over zones, for zone-aware routing: clients per zone. */
function callersPerZone(zones: readonly (string | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const z of zones) if (z !== undefined) out[z] = (out[z] ?? 0) + 1;
  return out;
}

function serviceFor(scenario: Scenario, client: ClientInfo, zones: readonly (string | undefined)[]): Omit<ServiceOptions, 'instances' | 'discovery'> {
  const base = typeof scenario.service === 'function' ? scenario.service(client) : (scenario.service ?? {});
  const subset = scenario.subset;
  const zoneAware = scenario.zoneAware;
  return {
    ...base,
    ...(scenario.healthCheck ? { healthCheck: scenario.healthCheck } : {}),
    ...(subset && (subset.mode ?? 'deterministic') === 'deterministic'
      ? { subset: { size: subset.size, clientId: client.index, clientCount: client.count } }
      : {}),
    ...(zoneAware && client.zone !== undefined
      ? {
          zoneAware: {
            callers: callersPerZone(zones),
            ...(typeof zoneAware === 'object' && zoneAware.minClusterSize !== undefined ? { minClusterSize: zoneAware.minClusterSize } : {}),
          },
        }
      : {}),
  };
}

/** Runs `scenario` on a virtual clock with the real core and resolves with its result; the same seed gives the same result. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SimResult> {
  const seed = options.seed ?? scenario.seed ?? 1;
  const durationMs = scenario.durationS * 1000;
  const scheduler = new Scheduler();
  const groups = asList(scenario.clients);
  const clientGroups = groups.flatMap((g) => Array.from({ length: g.count }, () => g));
  const zones = clientGroups.map((g) => g.zone);
  const recorder = new Recorder(scenario.durationS, zones, () => scheduler.now);
  const fleet = new SimFleet(scheduler, recorder, {
    seed,
    rttMs: scenario.network?.rttMs ?? 0.5,
    crossZoneRttMs: scenario.network?.crossZoneRttMs ?? 1.5,
  });
  const slotGroups: InstanceGroup[] = [];
  for (const group of asList(scenario.fleet)) for (const _ of fleet.addGroup(group)) slotGroups.push(group);

  const clients = clientGroups.map(
    (g, index) =>
      new SimClient(
        {
          index,
          zone: g.zone,
          ratePerS: g.ratePerS,
          timeoutMs: g.timeoutMs ?? 5_000,
          seed,
          service: serviceFor(scenario, { index, count: clientGroups.length, zone: g.zone }, zones),
          discoveryDelayMs: scenario.discovery?.delayMs ?? 1_000,
          randomSubset: scenario.subset?.mode === 'random' ? scenario.subset.size : undefined,
        },
        scheduler,
        fleet,
        recorder,
      ),
  );
  fleet.onList((entries) => {
    for (const c of clients) c.listChanged(entries);
  });
  for (const f of scenario.faults ?? []) scheduleFault(f, scheduler, fleet, seed);
  for (const e of scenario.events ?? []) {
    scheduleEvent(e, scheduler, fleet, seed, (slot) => {
      const group = slotGroups[slot];
      if (group === undefined) throw new RangeError(`no instance group for slot ${slot}`);
      return group;
    });
  }
  const membership = new MembershipLog(clients.map((c) => c.balancer));
  for (const atS of scenario.membershipAtS ?? []) scheduler.after(atS * 1000, () => membership.read(atS));
  for (const c of clients) c.start();

  const seconds = recorder.seconds.length;
  for (let s = 0; s < seconds; s++) {
    await scheduler.run(Math.min(durationMs, (s + 1) * 1000));
    recorder.sample(s);
    options.onSecond?.(s + 1, seconds);
  }
  for (const c of clients) c.stop();
  const unfinished = clients.reduce((n, c) => n + c.inFlight, 0);
  const result = buildResult(scenario, seed, recorder, fleet, clients, unfinished, scheduler.events, membership.entries);
  // Close every balancer on the virtual clock (drains need it to move), within a bound.
  let closed = false;
  const closing = Promise.all(clients.map((c) => c.close())).then(() => void (closed = true));
  for (let t = durationMs; !closed && t < durationMs + CLOSE_BOUND_MS; t += 1_000) await scheduler.run(t + 1_000);
  if (closed) await closing;
  return result;
}
