import { afterEach, describe, expect, it } from 'vitest';
import { Workers } from './capacity.js';
import { formatLoadReport, LoadMeter, LOAD_REPORT_HEADER } from './load-report.js';
import { startServer } from './server.js';
import type { TestServer } from './test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close({ graceMs: 0 });
});
async function server(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}
const header = async (url: string): Promise<{ status: number; value: string | null }> => {
  const res = await fetch(url);
  await res.arrayBuffer();
  return { status: res.status, value: res.headers.get(LOAD_REPORT_HEADER) };
};

describe('formatLoadReport', () => {
  it('writes ORCA TEXT (the default) with the proto field names, named metrics flattened', () => {
    expect(formatLoadReport({ cpuUtilization: 0.3, rpsFractional: 120, eps: 2, namedMetrics: { queue: 4 } })).toBe(
      'TEXT cpu_utilization=0.3, rps_fractional=120, eps=2, named_metrics.queue=4',
    );
    expect(formatLoadReport({ applicationUtilization: 0.5, memUtilization: 0.25 })).toBe('TEXT mem_utilization=0.25, application_utilization=0.5');
  });

  it('writes ORCA JSON', () => {
    expect(formatLoadReport({ cpuUtilization: 0.3, rpsFractional: 120, namedMetrics: { q: 1 }, format: 'json' })).toBe(
      'JSON {"cpu_utilization":0.3,"rps_fractional":120,"named_metrics":{"q":1}}',
    );
  });
});

describe('a server reporting load', () => {
  it('adds the header to every response but health checks, and changes it with setLoadReport', async () => {
    const s = await server({ loadReport: { cpuUtilization: 0.9, rpsFractional: 50 }, behavior: { errorRate: 0 } });
    expect(await header(`${s.url}/x`)).toEqual({ status: 200, value: 'TEXT cpu_utilization=0.9, rps_fractional=50' });
    expect((await header(`${s.url}/health`)).value).toBeNull();
    s.setBehavior({ errorRate: 1 });
    expect(await header(`${s.url}/x`)).toEqual({ status: 503, value: 'TEXT cpu_utilization=0.9, rps_fractional=50' });
    s.setLoadReport({ cpuUtilization: 0.1, format: 'json' });
    expect((await header(`${s.url}/x`)).value).toBe('JSON {"cpu_utilization":0.1}');
    s.setLoadReport(undefined);
    expect((await header(`${s.url}/x`)).value).toBeNull();
  });

  it("loadReportOn 'health' reports on health check responses only (unhealthy ones too); 'all' on both", async () => {
    const report = { cpuUtilization: 0.4, rpsFractional: 20 };
    const h = await server({ loadReport: report, loadReportOn: 'health', behavior: { health: { status: 503 } } });
    expect(await header(`${h.url}/health`)).toEqual({ status: 503, value: 'TEXT cpu_utilization=0.4, rps_fractional=20' });
    expect((await header(`${h.url}/x`)).value).toBeNull();
    const a = await server({ loadReport: report, loadReportOn: 'all' });
    expect((await header(`${a.url}/health`)).value).toBe('TEXT cpu_utilization=0.4, rps_fractional=20');
    expect((await header(`${a.url}/x`)).value).toBe('TEXT cpu_utilization=0.4, rps_fractional=20');
    await expect(startServer({ loadReportOn: 'probes' as 'all' })).rejects.toThrow(/loadReportOn: expected 'requests', 'health' or 'all', got probes/);
  });

  it('a function is asked per response; a string it returns is sent as is (garbage included)', async () => {
    let n = 0;
    const s = await server({ loadReport: () => (++n % 2 === 1 ? 'TEXT nonsense' : { eps: n }) });
    expect((await header(`${s.url}/a`)).value).toBe('TEXT nonsense');
    expect((await header(`${s.url}/b`)).value).toBe('TEXT eps=2');
  });

  it('a full queue answers 503 with the report too', async () => {
    // A hung request holds no worker; a slow one does (closed before its timer fires).
    const s = await server({ capacity: { workers: 1, queue: 0 }, behavior: { latencyMs: 60_000 }, loadReport: { cpuUtilization: 1, rpsFractional: 5 } });
    const held = fetch(`${s.url}/held`).catch(() => undefined);
    while (s.queue!.busy === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await header(`${s.url}/refused`)).toEqual({ status: 503, value: 'TEXT cpu_utilization=1, rps_fractional=5' });
    await s.close({ graceMs: 0 });
    await held;
  });

  it("rejects invalid values with their paths, and 'auto' without capacity", async () => {
    await expect(startServer({ loadReport: { cpuUtilization: -1, eps: Number.NaN, namedMetrics: { q: Infinity } } })).rejects.toThrow(
      /loadReport.cpuUtilization: expected a finite number >= 0, got -1\n.*loadReport.eps.*\n.*loadReport.namedMetrics.q/,
    );
    await expect(startServer({ loadReport: 'auto' })).rejects.toThrow(/'auto' needs capacity/);
    const s = await server({});
    expect(() => s.setLoadReport({ format: 'xml' as 'json' })).toThrow(/loadReport.format/);
  });
});

describe('LoadMeter (auto)', () => {
  it('reports the workers\' busy share and the answer rates over the last second', () => {
    let now = 0;
    const clock = () => now;
    const workers = new Workers({ workers: 2, queue: 10 }, clock);
    const meter = new LoadMeter(workers, clock);
    workers.acquire(() => {}); // one of two workers busy from t = 0
    for (let i = 0; i < 10; i++) {
      now += 100;
      meter.sent(i < 2 ? 503 : 200);
      meter.measure(1);
    }
    expect(meter.measure(1)).toEqual({ cpuUtilization: 0.5, rpsFractional: 10, eps: 2, inFlight: 1 });
    // Only the last second counts: both workers busy and 20 answers a second from t = 1 s to 2 s.
    workers.acquire(() => {});
    for (let i = 0; i < 10; i++) {
      now += 100;
      meter.sent(200);
      meter.sent(200);
      meter.measure(2);
    }
    expect(meter.measure(2)).toEqual({ cpuUtilization: 1, rpsFractional: 20, eps: 0, inFlight: 2 });
  });

  it('a server with auto reports what it measured', async () => {
    const s = await server({ capacity: { workers: 2, queue: 10 }, loadReport: 'auto' });
    const { value } = await header(`${s.url}/x`);
    expect(value).toMatch(/^TEXT cpu_utilization=[0-9.e-]+, rps_fractional=[0-9.e-]+, eps=0$/);
  });
});
