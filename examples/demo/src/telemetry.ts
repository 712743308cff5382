/**
 * OpenTelemetry for the demo: one MeterProvider (passed to `createBalancer`) with two readers:
 * the Prometheus exporter, served on 127.0.0.1 at `/metrics`, and a reader the demo itself
 * collects every tick for its table and charts. The demo serves the exporter's handler from its
 * own `node:http` server so that it binds loopback only, accepts port 0, counts scrapes and, when
 * the port is taken, says so and carries on without it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** A reader the demo pulls from (cumulative temporality, the SDK's default). */
class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Telemetry {
  readonly meterProvider: MeterProvider;
  /** `http://127.0.0.1:<port>/metrics`, or undefined when the endpoint could not be served. */
  readonly metricsUrl: string | undefined;
  /** Why the endpoint is not served (port taken...). */
  readonly metricsError: string | undefined;
  /** Scrapes served so far. */
  scrapes(): number;
  /** Called once, when the first scrape is served. */
  onFirstScrape(listener: () => void): void;
  /** Current cumulative metrics. */
  collect(): Promise<ResourceMetrics>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startTelemetry(port: number): Promise<Telemetry> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const pull = new PullReader();
  const meterProvider = new MeterProvider({ readers: [exporter, pull] });

  let scrapes = 0;
  let firstScrape: (() => void) | undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      scrapes++;
      if (scrapes === 1) firstScrape?.();
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('Not found: metrics are at /metrics\n');
  });
  server.keepAliveTimeout = 1_000;

  let metricsUrl: string | undefined;
  let metricsError: string | undefined;
  try {
    const bound = await listen(server, port);
    metricsUrl = `http://127.0.0.1:${bound}/metrics`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    metricsError = code === 'EADDRINUSE' ? `port ${port} is taken` : `cannot listen on port ${port}: ${(error as Error).message}`;
  }

  return {
    meterProvider,
    metricsUrl,
    metricsError,
    scrapes: () => scrapes,
    onFirstScrape(listener) {
      firstScrape = listener;
    },
    async collect() {
      const { resourceMetrics } = await pull.collect();
      return resourceMetrics;
    },
    async close() {
      if (server.listening) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      await meterProvider.shutdown();
    },
  };
}
