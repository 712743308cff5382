/**
 * Rows of the scenario table (`table.ts`) for server-reported load: every client hands the
 * response headers to the core, which reads `endpoint-load-metrics` (TEXT and JSON) for
 * `weighted-least-load`, weights the instances as gRFC A58 does once the blackout has passed,
 * and counts a bad header without failing the request.
 */
import { weightedLeastLoad } from '@datapunk/balancer/strategies';
import { expect, it } from 'vitest';
import { get, type useRigs } from './rig.js';

type RigFn = ReturnType<typeof useRigs>['rig'];

export function defineLoadReportRows(rig: RigFn): void {
  it('load reports: TEXT and JSON reports reach weighted-least-load, whose weights then steer traffic (1/0.9 : 1/0.3)', async () => {
    const { fleet, client, balancer, runtime } = await rig(2, { strategy: weightedLeastLoad(), outlierDetection: false });
    fleet.servers[0]!.setLoadReport({ cpuUtilization: 0.9, rpsFractional: 100 });
    fleet.servers[1]!.setLoadReport({ cpuUtilization: 0.3, rpsFractional: 100, format: 'json' });
    const results: string[] = [];
    balancer.observe({ loadReported: (e) => results.push(e.result) });
    // The blackout (10 s): reports arrive, picks are peak-ewma's meanwhile.
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 4; i++) expect((await get(client)).status).toBe(200);
      runtime.advance(1_000);
    }
    expect(results).toHaveLength(40);
    expect(new Set(results)).toEqual(new Set(['accepted']));
    const [hot, cold] = balancer.snapshot().services.orders!.instances;
    expect([hot!.strategy, cold!.strategy]).toMatchObject([{ utilization: 0.9, rpsFractional: 100 }, { utilization: 0.3, rpsFractional: 100 }]);
    // The first pick from here recomputes the weights (an update period has passed): reports are 10 s old.
    fleet.resetStats();
    for (let i = 0; i < 40; i++) expect((await get(client)).status).toBe(200);
    const totals = Object.values(fleet.totals());
    expect(Math.abs(totals[0]! - 10)).toBeLessThanOrEqual(1); // a quarter: weight 1.11 against 3.33
    expect(totals[0]! + totals[1]!).toBe(40);
  });

  it('load reports: a garbage or oversized header is counted as invalid and the request still succeeds', async () => {
    const { fleet, client, balancer } = await rig(2, { strategy: weightedLeastLoad() });
    fleet.servers[0]!.setLoadReport(() => 'TEXT cpu_utilization=lots');
    fleet.servers[1]!.setLoadReport(() => `TEXT cpu_utilization=0.5, named_metrics.pad=${'9'.repeat(5_000)}`);
    const results: string[] = [];
    balancer.observe({ loadReported: (e) => results.push(e.result) });
    for (let i = 0; i < 10; i++) expect((await get(client)).status).toBe(200);
    expect(results).toEqual(Array.from({ length: 10 }, () => 'invalid'));
    for (const i of balancer.snapshot().services.orders!.instances) expect(i.strategy).not.toHaveProperty('utilization');
  });
}
