/**
 * The demo as CI runs it: the built `dist/main.js` for a few seconds, its Prometheus endpoint
 * scraped while it runs, its summary checked (callers barely notice the faults, at least one
 * ejection and one recovery), and its HTML report opened in headless Chromium.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTRUMENTS } from '@datapunk/balancer';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from './chromium.test-helpers.js';
import { runBuilt, type ChildRun } from './run-built.test-helpers.js';
import type { Summary } from './summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const outDir = join(root, '.artifacts/demo');
const DURATION_S = 8;

/** Prometheus names of the instruments that have data at mid-run whatever the faults did. */
const EXPECTED_MID_RUN = [
  'datapunk_balancer_request_duration_bucket',
  'datapunk_balancer_request_active',
  'datapunk_balancer_instance_count',
  'datapunk_balancer_health_checks_total',
  'datapunk_balancer_health_check_duration_bucket',
  'datapunk_balancer_membership_changes_total',
  'datapunk_balancer_panic',
  'datapunk_balancer_load_reports_total',
];

/** OpenTelemetry name to Prometheus name: dots to underscores, `_total` for counters. */
function prometheusName(name: string, kind: string): string {
  const base = name.replace(/\./g, '_');
  return kind === 'Counter' ? `${base}_total` : kind === 'Histogram' ? `${base}_bucket` : base;
}

let run: ChildRun;
let summary: Summary;
let scrape: { status: number; body: string } | undefined;
let scrapeError: unknown;

beforeAll(async () => {
  let scraping: Promise<void> | undefined;
  run = await runBuilt(join(here, '../dist/main.js'), {
    args: ['--duration', String(DURATION_S), '--rate', '100', '--metrics-port', '0', '--out', outDir],
    cwd: root,
    timeoutMs: 40_000,
    onLine(line) {
      const url = /serving Prometheus at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(line)?.[1];
      if (!url) return;
      // Scrape in the middle of the run, while faults are playing.
      scraping = new Promise<void>((r) => setTimeout(r, (DURATION_S / 2) * 1000))
        .then(() => fetch(url))
        .then(async (res) => void (scrape = { status: res.status, body: await res.text() }))
        .catch((error: unknown) => void (scrapeError = error));
    },
  });
  await scraping;
  summary = JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')) as Summary;
}, 45_000);

describe('pnpm demo (built, short run)', () => {
  it('runs to completion and exits by itself', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Summary of 8 s at 100 req\/s/);
  });

  it('keeps callers above 99% success despite the faults', () => {
    expect(summary.callers.requests).toBeGreaterThan(DURATION_S * 100 * 0.9);
    expect(summary.callers.successRate).toBeGreaterThan(99);
    for (const client of ['axios', 'got', 'undici fetch']) expect(summary.clients[client]?.requests).toBeGreaterThan(0);
  });

  it('ejects at least one instance and sees at least one recover', () => {
    expect(summary.ejections).toBeGreaterThanOrEqual(1);
    expect(summary.recoveries).toBeGreaterThanOrEqual(1);
    expect(summary.faults.map((f) => f.kind).sort()).toEqual(['busy', 'crash', 'errors', 'hang', 'slow']);
  });

  it("follows the load inventory's instances report: the busy one gets about A58's 14%, then a third again", () => {
    const busy = summary.faults.find((f) => f.kind === 'busy')!;
    // A58: (1/0.9) / (1/0.9 + 2/0.3) = 14.3%, plus the weight update's lag at the start.
    expect(busy.sharePercentDuring).toBeGreaterThan(7);
    expect(busy.sharePercentDuring).toBeLessThan(24);
    expect(busy.backAtHalfShareAfterS).toBeLessThanOrEqual(2);
    const inventory = summary.instances.filter((i) => i.service === 'inventory');
    expect(inventory.map((i) => i.failures)).toEqual([0, 0, 0]);
    // Over the run: 40% of it at ~14%, the rest at a third.
    expect(inventory.find((i) => i.name === 'inventory-2')!.sharePercent).toBeLessThan(30);
  });

  it('served Prometheus metrics during the run, with the documented instrument names', () => {
    if (scrapeError) throw scrapeError;
    expect(scrape?.status).toBe(200);
    const body = scrape?.body ?? '';
    for (const name of EXPECTED_MID_RUN) expect(body).toMatch(new RegExp(`^${name}\\{`, 'm'));
    // Every name above is one of the documented instruments.
    const documented = Object.values(INSTRUMENTS).map((i) => prometheusName(i.name, i.kind));
    for (const name of EXPECTED_MID_RUN) expect(documented).toContain(name);
    expect(run.stdout).toMatch(/metrics: first Prometheus scrape served at/);
    expect(summary.metrics.scrapes).toBeGreaterThanOrEqual(1);
  });

  it('writes the report, the summary and the log, and says where', () => {
    for (const file of [summary.files.report, summary.files.summary, summary.files.log]) {
      expect(existsSync(file)).toBe(true);
      expect(run.stdout).toContain(file);
    }
    expect(run.stdout).toContain(`report: ${join(outDir, 'report.html')}`);
  });

  it.skipIf(!chromiumAvailable() && process.env.CI !== 'true')('renders the report in headless Chromium', async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (CI installs the Debian package chromium)`);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      page.on('pageerror', (e) => void problems.push(e.message));
      page.on('requestfailed', (r) => void problems.push(`request failed: ${r.url()}`));
      await page.goto(`file://${summary.files.report}`, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) => {
          const box = s.getBoundingClientRect();
          return { label: s.getAttribute('aria-label'), width: box.width, height: box.height, shapes: s.querySelectorAll('polygon, rect, polyline, path').length };
        }),
      );
      // orders, billing and inventory shares, states, latency.
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const c of charts) {
        expect(c.width, c.label ?? '').toBeGreaterThan(100);
        expect(c.height, c.label ?? '').toBeGreaterThan(50);
        expect(c.shapes, c.label ?? '').toBeGreaterThan(3);
      }
      expect(await page.locator('svg .ejection').count()).toBeGreaterThanOrEqual(1);
      expect(problems).toEqual([]);
      const png = join(outDir, 'report.png');
      await page.screenshot({ path: png, fullPage: true });
      console.log(`report screenshot: ${png}`);
    } finally {
      await browser.close();
    }
  });
});

if (!chromiumAvailable() && process.env.CI !== 'true') {
  console.warn(`SKIPPED: report rendering test: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
}
