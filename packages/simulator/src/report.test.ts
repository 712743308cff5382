/**
 * The reports of a small faulty run: the HTML renders in headless Chromium with every chart
 * drawn and nothing loaded from outside; the table carries the run's figures.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The demo's launcher of Debian's chromium through playwright-core (one copy of that setup).
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../../examples/demo/src/chromium.test-helpers.js';
import { renderHtml } from './report-html.js';
import { renderTable } from './report-table.js';
import type { SimResult } from './result.js';
import { runScenario } from './run.js';
import { defineScenario } from './scenario.js';

const faulty = defineScenario({
  name: 'report-test',
  description: 'Six instances, one slow, one crashing; round robin so that ejections show.',
  durationS: 12,
  clients: [
    { count: 4, zone: 'a', ratePerS: 60 },
    { count: 2, zone: 'b', ratePerS: 60 },
  ],
  fleet: [
    { count: 4, zone: 'a', workers: 4 },
    { count: 2, zone: 'b', workers: 4 },
  ],
  healthCheck: { intervalMs: 1_000 },
  service: { strategy: 'round-robin', outlierDetection: { baseEjectionMs: 3_000 } },
  faults: [
    { kind: 'slow', instances: 0, fromS: 2, toS: 8, factor: 5 },
    { kind: 'crash', instances: 1, fromS: 3, toS: 7 },
  ],
});

describe('simulation reports', () => {
  let result: SimResult;
  let dir: string;
  beforeAll(async () => {
    result = await runScenario(faulty);
    dir = await mkdtemp(join(tmpdir(), 'datapunk-sim-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the table names the scenario, the callers and every instance', () => {
    const table = renderTable(result);
    expect(table).toContain('report-test: 6 clients x 6 instances, 12 s, seed 1');
    expect(table).toContain(`callers: ${result.callers.requests} requests`);
    for (const i of result.instances) expect(table).toMatch(new RegExp(`^${i.name} `, 'm'));
    expect(result.ejections.total).toBeGreaterThan(0);
    expect(table).toContain(`ejections: ${result.ejections.total} (`);
  });

  it.skipIf(!chromiumAvailable() && process.env.CI !== 'true')('the HTML report renders in headless Chromium, self-contained', async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (CI installs the Debian package chromium)`);
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(result));
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      page.on('pageerror', (e) => void problems.push(e.message));
      page.on('request', (r) => void (r.url().startsWith('file://') || problems.push(`external request: ${r.url()}`)));
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) => {
          const box = s.getBoundingClientRect();
          return { label: s.getAttribute('aria-label'), width: box.width, height: box.height, shapes: s.querySelectorAll('polyline, polygon, rect').length };
        }),
      );
      // load, latency, success, health, connections.
      expect(charts.map((c) => c.label)).toEqual([
        'attempts per second per instance',
        "callers' latency per second (p50, p99)",
        "callers' success rate per second",
        'ejections, unhealthy marks and panic, as the clients saw them',
        'instances by connected clients',
      ]);
      for (const c of charts) {
        expect(c.width, c.label ?? '').toBeGreaterThan(300);
        expect(c.height, c.label ?? '').toBeGreaterThan(100);
        expect(c.shapes, c.label ?? '').toBeGreaterThanOrEqual(1);
      }
      // One line per highlighted (faulty) instance, and the fault windows shaded.
      expect(await page.locator('svg.chart').first().locator('polyline.series').count()).toBe(Object.keys(result.series).length + 1);
      expect(await page.locator('svg.chart').first().locator('rect.fault').count()).toBe(2);
      expect(await page.locator('h1').textContent()).toBe('Simulation: report-test');
      expect(problems).toEqual([]);
      const png = join(dir, 'report.png');
      await page.screenshot({ path: png, fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

if (!chromiumAvailable() && process.env.CI !== 'true') {
  console.warn(`SKIPPED: simulator report rendering test: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
}
