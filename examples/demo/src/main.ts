/**
 * `pnpm demo`: a misbehaving fleet, three HTTP clients, one balancer. See README.md beside this
 * file, or run with `--help`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBalancer, INSTRUMENTS } from '@datapunk/balancer';
import { parseDemoArgs, USAGE, UsageError, type DemoArgs } from './args.js';
import { demoBalancerOptions, demoTimings, STRATEGIES } from './balancer-config.js';
import { createClients } from './clients.js';
import { startDemoFleet } from './fleet.js';
import { FAULT_SCRIPT, playScript, type FaultPeriod } from './fleet-script.js';
import { LiveTable, plainLine, renderTable, type Frame } from './live-table.js';
import { fileLogger } from './logging.js';
import { counterBy, counterTotal } from './metric-reading.js';
import { Recorder, type InstanceInfo } from './recorder.js';
import { renderReport } from './report-html.js';
import { buildSummary, formatSummary } from './summary.js';
import { startTelemetry } from './telemetry.js';
import { startTraffic } from './traffic.js';
import { warmUp } from './warm-up.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

async function run(args: DemoArgs): Promise<void> {
  const durationMs = args.durationS * 1000;
  const timings = demoTimings(durationMs);
  const tickMs = clamp(durationMs / 60, 200, 500);
  const tty = !args.quiet && process.stdout.isTTY === true;
  const say = (line: string): void => void process.stdout.write(`${line}\n`);

  await mkdir(args.outDir, { recursive: true });
  const files = { report: join(args.outDir, 'report.html'), summary: join(args.outDir, 'summary.json'), log: join(args.outDir, 'balancer.log') };
  const log = fileLogger(files.log);
  const telemetry = await startTelemetry(args.metricsPort);
  say(`datapunk balancer demo: ${args.durationS} s at ${args.rate} req/s through axios, got and undici fetch`);
  if (telemetry.metricsUrl) say(`metrics: serving Prometheus at ${telemetry.metricsUrl}`);
  else say(`metrics: not served (${telemetry.metricsError}); the demo goes on without the endpoint (try --metrics-port 0)`);
  say(`logs: ${files.log}`);

  const fleet = await startDemoFleet(args.seed);
  const instances: InstanceInfo[] = [...fleet.services].flatMap(([service, list]) => list.map((s) => ({ service, name: s.id, url: s.url })));
  const urls = new Map([...fleet.services].map(([service, list]) => [service, list.map((s) => s.url)]));
  await warmUp(urls);
  const balancer = createBalancer(
    demoBalancerOptions(
      urls,
      timings,
      log.logger,
      telemetry.meterProvider,
    ),
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const recorder = new Recorder(instances, now);
  const detach = recorder.attach(balancer);
  const clients = createClients(balancer);

  telemetry.onFirstScrape(() => {
    const line = `metrics: first Prometheus scrape served at ${(now() / 1000).toFixed(1)} s`;
    log.logger.info({ event: 'first-scrape', url: telemetry.metricsUrl }, line);
    if (!tty) say(line);
  });

  const script = playScript(FAULT_SCRIPT, durationMs, now, (step, phase) => fleet.apply(step, phase), (step, phase) => {
    const line = `fault ${phase === 'start' ? 'starts' : 'ends'}: ${step.instance} ${step.label}`;
    log.logger.info({ event: 'fault', instance: step.instance, kind: step.kind, phase }, line);
    if (!tty && !args.quiet) say(`[${(now() / 1000).toFixed(1).padStart(5)} s] ${line}`);
  });
  const traffic = startTraffic({
    clients,
    services: [...fleet.services.keys()],
    rate: args.rate,
    durationMs,
    deadlineMs: timings.callerDeadlineMs,
    maxInFlight: 256,
    now,
    onResult: (r) => recorder.result(r),
    onShed: () => recorder.shed++,
  });

  const table = tty ? new LiveTable(process.stdout) : undefined;
  const restoreCursor = (): void => table?.showCursor();
  const onSigint = (): void => {
    restoreCursor();
    process.stdout.write('\ninterrupted\n');
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  table?.hideCursor();

  let retries = 0;
  let calls = 0;
  let callFailures = 0;
  let lastPlain = 0;
  const plainEveryMs = clamp(durationMs / 10, 1_000, 5_000);
  const windowTicks = Math.max(1, Math.round(2_000 / tickMs));
  const frame = (): Frame => {
    const errorsTotal = new Map<string, number>();
    for (const s of recorder.samples) for (const [n, i] of Object.entries(s.instances)) errorsTotal.set(n, (errorsTotal.get(n) ?? 0) + i.failures);
    const t = now();
    return {
      elapsedMs: Math.min(t, durationMs),
      durationMs,
      instances,
      recent: recorder.recent(windowTicks),
      ejections: recorder.ejectionCounts(),
      errorsTotal,
      faults: script.periods().filter((p) => p.endMs >= t - 1),
      calls,
      callFailures,
      retries,
      inFlight: traffic.inFlight(),
      windowS: Math.round((windowTicks * tickMs) / 100) / 10,
      strategies: STRATEGIES,
      metrics: telemetry.metricsUrl === undefined ? undefined : { url: telemetry.metricsUrl, scrapes: telemetry.scrapes() },
    };
  };
  const tick = async (): Promise<void> => {
    const metrics = await telemetry.collect();
    retries = counterTotal(metrics, INSTRUMENTS.retries.name);
    const sample = recorder.tick(balancer, metrics);
    calls += sample.calls;
    callFailures += sample.callFailures;
    if (args.quiet) return;
    if (table) table.draw(renderTable(frame(), true));
    else if (now() - lastPlain >= plainEveryMs) {
      lastPlain = now();
      say(plainLine(frame()));
    }
  };
  let ticking = Promise.resolve();
  const ticker = setInterval(() => {
    ticking = ticking.then(tick).catch((error: unknown) => log.logger.error({ err: error }, 'tick failed'));
  }, tickMs);

  await traffic.done;
  lag.disable();
  clearInterval(ticker);
  await ticking;
  await tick();
  restoreCursor();
  process.off('SIGINT', onSigint);
  const faults: FaultPeriod[] = script.periods();
  await script.stop();

  const metrics = await telemetry.collect();
  const summary = buildSummary({
    durationS: args.durationS,
    rate: args.rate,
    recorder,
    faults,
    retries: counterTotal(metrics, INSTRUMENTS.retries.name),
    retryRefusals: counterBy(metrics, INSTRUMENTS.retryRefusals.name, 'datapunk.balancer.retry.refusal.reason'),
    metrics: { url: telemetry.metricsUrl, error: telemetry.metricsError, scrapes: telemetry.scrapes() },
    eventLoopLagMs: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    files,
  });
  const html = renderReport({ summary, recorder, faults, durationMs, timings, generatedAt: new Date().toISOString() });
  await writeFile(files.report, html);
  await writeFile(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
  say(formatSummary(summary));
  say(`report: ${files.report}`);
  say(`summary: ${files.summary}`);
  say(`logs: ${files.log}`);

  detach();
  await Promise.all(clients.map((c) => c.close()));
  await balancer.close();
  await fleet.close();
  await telemetry.close();
  log.close();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift(); // `pnpm demo -- --duration 10` passes the separator along
  let args: DemoArgs | undefined;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!args) {
    process.stdout.write(USAGE);
    return;
  }
  await run(args);
}

main().catch((error: unknown) => {
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h');
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
