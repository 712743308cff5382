/**
 * Keeps `pnpm bench` working: every part runs for about a second (tiny sizes, short phases) and
 * the result must have the right shape: every row present, every figure finite, both files
 * written. Speed is not asserted: the machine is shared.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haproxyFleet, oursFleet } from './capacity/contenders.js';
import { HAPROXY_SIDECAR } from './report/goals.js';
import { capacityScenarios } from './capacity/scenarios.js';
import { binsUntilShare, windowShares } from './capacity/shares.js';
import { balancedPool, haproxy, ours, plainRoundRobin } from './faults/contenders.js';
import { findHaproxy } from './faults/haproxy.js';
import { TrafficLog } from './faults/traffic.js';
import { runBench, writeResults } from './main.js';
import { renderMarkdown } from './report/markdown.js';

const finite = (n: number | undefined): boolean => typeof n === 'number' && Number.isFinite(n);

describe('pnpm bench, shortened', () => {
  it('runs every part and writes the JSON and the markdown table', { timeout: 60_000 }, async () => {
    const result = await runBench({
      mode: 'custom',
      parts: ['pick', 'overhead', 'faults', 'capacity'],
      pickCost: { sizes: [10, 100], rounds: 1, batches: 5, cycles: 20_000, growthInstances: 100, strategies: ['round-robin', 'peak-ewma'] },
      overhead: { rounds: 1, runMs: 150, warmupMs: 50, concurrency: 4 },
      nullTransport: { rounds: 1, requests: 300, heapRequests: 2_000 },
      faults: {
        timeline: { ratePerSec: 100, warmupMs: 100, healthyMs: 300, faultMs: 600, crashForMs: 300, deadlineMs: 1_000 },
        contenders: [ours('peak-ewma'), plainRoundRobin, balancedPool, haproxy],
      },
      capacity: { scenarios: capacityScenarios(0.1), contenders: [oursFleet('peak-ewma', 'peak-ewma (default)'), haproxyFleet('sidecar')], rounds: 1 },
    });

    const pick = result.pickCost!;
    expect(pick.rows.map((r) => `${r.strategy}@${r.instances}`)).toEqual(['round-robin@10', 'round-robin@100', 'peak-ewma@10', 'peak-ewma@100']);
    for (const r of pick.rows) expect([r.pickNs, r.cycleNs, r.growth, r.heapBytesPerInstance].every(finite)).toBe(true);
    expect(pick.heapGrowth.map((g) => [g.strategy, g.cycles])).toEqual([['round-robin', 20_000], ['peak-ewma', 20_000]]);

    const overhead = result.overhead!;
    expect(overhead.rows.map((r) => r.client)).toEqual([
      'undici + balancer',
      'undici raw (round robin by hand)',
      'undici raw + no-op interceptor',
      'undici BalancedPool',
      'axios + balancer',
      'axios raw (round robin by hand)',
      'got + balancer',
      'got raw (round robin by hand)',
    ]);
    for (const r of overhead.rows) {
      expect(r.errors).toBe(0);
      expect([r.rps, r.p50Ms, r.p99Ms, r.cpuUsPerRequest, r.userUsPerRequest, r.sysUsPerRequest].every(finite)).toBe(true);
    }
    expect(overhead.ratios.map((r) => r.client)).toEqual(['undici + balancer', 'undici raw + no-op interceptor', 'undici BalancedPool', 'axios + balancer', 'got + balancer']);
    for (const r of overhead.ratios) expect([r.rpsRatio, r.p99Ratio, r.cpuRatio, r.extraCpuUs, r.extraUserUs, r.extraSysUs].every(finite)).toBe(true);
    const n = overhead.nullTransport;
    expect([n.rawUs, n.noopInterceptorUs, n.balancedUs, n.extraUs, n.oursUs].every(finite)).toBe(true);
    expect(n.heap).toMatchObject({ requests: 2_000, afterGc: true });
    expect([n.heap!.beforeMB, n.heap!.afterMB, n.heap!.growthKB].every(finite)).toBe(true);
    expect(result.goals.slice(0, 6).map((g) => g.goal)).toEqual([
      'undici: >= 0.90 of raw undici req/s',
      'undici: within 0.05 of the do-nothing interceptor control (req/s ratios to raw)',
      'axios: >= 0.95 of raw axios req/s',
      'got: >= 0.95 of raw got req/s',
      "without a network: our code <= 1.5 µs/request above undici's interceptor machinery",
      'heap flat over 0.002M requests (growth <= 512 KB, after GC)',
    ]);

    const rows = result.faults!.rows;
    expect(rows.map((r) => r.contender)).toEqual(['peak-ewma', 'round robin (plain)', 'undici BalancedPool', 'HAProxy']);
    const haproxyRow = rows.find((r) => r.contender === 'HAProxy')!;
    if (findHaproxy()) expect(haproxyRow.status).toBe('ok');
    else expect(haproxyRow).toMatchObject({ status: 'missing', missing: expect.stringContaining('apt-get install haproxy') });
    for (const r of rows.filter((x) => x.status === 'ok' || x.contender !== 'HAProxy')) {
      expect(r.status, `${r.contender}: ${r.missing}`).toBe('ok');
      for (const phase of [r.healthy!, r.fault!]) {
        expect(phase.count).toBeGreaterThan(0);
        expect([phase.successPct, phase.p50, phase.p99, phase.p999].every(finite)).toBe(true);
      }
      expect(Object.keys(r.bad!)).toEqual(['slow', 'errors', 'crash', 'hang']);
      for (const t of Object.values(r.bad!)) expect(finite(t.sharePct) && (t.stoppedAfterMs === null || finite(t.stoppedAfterMs))).toBe(true);
    }
    const capacity = result.capacity!;
    expect(capacity.rows.map((r) => `${r.scenario}/${r.contender}`)).toEqual(
      ['equal', 'recovery', 'heterogeneous'].flatMap((s) => [`${s}/peak-ewma (default)`, `${s}/${HAPROXY_SIDECAR}`]),
    );
    for (const r of capacity.rows.filter((x) => x.contender !== HAPROXY_SIDECAR || findHaproxy())) {
      expect(r.status, `${r.scenario}/${r.contender}: ${r.missing}`).toBe('ok');
      expect([r.successPct, r.p50, r.p99, r.worstShare, r.leastShare, r.maxQueued, r.meanQueued, r.refused].every(finite)).toBe(true);
      expect(r.worstShare!).toBeGreaterThanOrEqual(r.leastShare!);
      if (r.scenario === 'recovery') expect(r.recoveredAfterMs === null || finite(r.recoveredAfterMs)).toBe(true);
      else expect(r.recoveredAfterMs).toBeUndefined();
    }
    const heterogeneous = result.goals.find((g) => g.goal.includes('heterogeneous capacity'))!;
    if (findHaproxy()) expect(typeof heterogeneous.met).toBe('boolean');
    expect(result.goals.length).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    try {
      const files = writeResults(result, dir);
      expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
      const markdown = readFileSync(files.markdown, 'utf8');
      expect(markdown).toBe(renderMarkdown(result));
      for (const heading of ['## Goals', '## 1. Pick cost', '## 2. Overhead on a healthy fleet', '## 3. Quality under faults', '## 4. Fleets with capacity']) expect(markdown).toContain(heading);
      expect(markdown).toContain(`Node ${process.version}`);
      expect(existsSync(files.json)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TrafficLog.analyse', () => {
  /** 10 attempts per 100 ms for 4 s; instance 0 gets `mine(t)` of them, instance 1 the rest. */
  function traffic(mine: (t: number) => number): TrafficLog {
    const log = new TrafficLog(['http://a', 'http://b']);
    for (let t = 0; t < 4_000; t += 100) {
      log.add(0, mine(t), t);
      log.add(1, 10 - mine(t), t);
    }
    return log;
  }

  it('reports when an instance stopped getting traffic, and its share', () => {
    const a = traffic((t) => (t < 1_500 ? 5 : 0)).analyse(0, 0, 4_000);
    expect(a).toEqual({ share: 75 / 400, attempts: 75, stoppedAfterMs: 1_500 });
  });

  it('allows occasional probes (at most 1% of attempts from then on)', () => {
    const probes = traffic((t) => (t < 1_000 ? 5 : t === 3_000 ? 1 : 0)).analyse(0, 0, 4_000);
    expect(probes.stoppedAfterMs).toBe(1_000);
    // 2 attempts a second is 2% of the rest of the window: not stopped until after the last one.
    const more = traffic((t) => (t < 1_000 ? 5 : t % 1_000 === 0 ? 2 : 0)).analyse(0, 0, 4_000);
    expect(more.stoppedAfterMs).toBe(3_100);
  });

  it('says never when the instance kept its traffic to the end of the window', () => {
    const a = traffic(() => 2).analyse(0, 500, 4_000);
    expect(a.stoppedAfterMs).toBeNull();
    expect(a.share).toBeCloseTo(0.2);
  });
});


describe('capacity shares', () => {
  const series = (...values: number[][]) => values.map((v) => Float64Array.from(v));

  it('gives the largest and smallest share of any instance in any window, relative to fair', () => {
    // Two windows of 2 bins: [a 6, b 2] then [a 4, b 4]; a partial third window is dropped.
    const bins = series([3, 3, 2, 2, 9], [1, 1, 2, 2, 0]);
    expect(windowShares(bins, [0, 1], 2)).toEqual({ worst: 1.5, least: 0.5 });
    // Counting one instance alone: it always has all of its own traffic.
    expect(windowShares(bins, [1], 2)).toEqual({ worst: 1, least: 1 });
  });

  it('finds the first window from a bin in which an instance is back at half its fair share', () => {
    // Instance 0 gets nothing, then 1 of 10, then 3 of 10 per bin; half of fair (1/2) is 0.25: the window of bins 3-4 (6 of 20) is the first.
    const bins = series([0, 0, 1, 3, 3], [10, 10, 9, 7, 7]);
    expect(binsUntilShare(bins, 0, 0, 2)).toBe(3);
    expect(binsUntilShare(bins, 0, 1, 2)).toBe(2);
    expect(binsUntilShare(bins, 0, 3, 2)).toBe(0);
    expect(binsUntilShare(series([0, 0, 0], [5, 5, 5]), 0, 0, 2)).toBeNull();
  });
});
