/**
 * Reading the balancer's own OpenTelemetry metrics back: per-instance latency histograms (the
 * instrument `datapunk.balancer.request.duration`) and counter totals, from a cumulative
 * collection. Quantiles are estimated from the buckets the way Prometheus's
 * `histogram_quantile` does, so the table shows what a dashboard would.
 */
import { INSTRUMENTS } from '@datapunk/balancer';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Bucket counts: `counts[i]` values <= `boundaries[i]`, the last one above every boundary. */
export interface Buckets {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
}

/** The instance origin a per-instance point names (the HTTP client conventions' server attributes). */
function originOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  const { 'url.scheme': scheme, 'server.address': address, 'server.port': port } = attributes;
  if (typeof scheme !== 'string' || typeof address !== 'string' || typeof port !== 'number') return undefined;
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function metricsNamed(rm: ResourceMetrics, name: string) {
  return rm.scopeMetrics.flatMap((s) => s.metrics.filter((m) => m.descriptor.name === name));
}

/** Cumulative attempt-duration buckets per instance origin, summed over every other attribute. */
export function durationBucketsByInstance(rm: ResourceMetrics): Map<string, Buckets> {
  const out = new Map<string, { boundaries: number[]; counts: number[] }>();
  for (const metric of metricsNamed(rm, INSTRUMENTS.requestDuration.name)) {
    if (metric.dataPointType !== DataPointType.HISTOGRAM) continue;
    for (const point of metric.dataPoints) {
      const instance = originOf(point.attributes);
      if (instance === undefined) continue;
      const { boundaries, counts } = point.value.buckets;
      const sum = out.get(instance);
      if (!sum) out.set(instance, { boundaries: [...boundaries], counts: [...counts] });
      else counts.forEach((c, i) => (sum.counts[i] = (sum.counts[i] ?? 0) + c));
    }
  }
  return out;
}

/** Sum of every data point of a counter (0 when nothing was recorded yet). */
export function counterTotal(rm: ResourceMetrics, name: string): number {
  let total = 0;
  for (const metric of metricsNamed(rm, name)) {
    if (metric.dataPointType !== DataPointType.SUM) continue;
    for (const point of metric.dataPoints) total += point.value;
  }
  return total;
}

/** Counter sums grouped by one attribute's value. */
export function counterBy(rm: ResourceMetrics, name: string, attribute: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of metricsNamed(rm, name)) {
    if (metric.dataPointType !== DataPointType.SUM) continue;
    for (const point of metric.dataPoints) {
      const key = String(point.attributes[attribute] ?? '');
      out[key] = (out[key] ?? 0) + point.value;
    }
  }
  return out;
}

/** `later - earlier`, bucket by bucket (the recent part of a cumulative histogram). */
export function bucketsDelta(later: Buckets, earlier: Buckets | undefined): Buckets {
  if (!earlier) return later;
  return { boundaries: later.boundaries, counts: later.counts.map((c, i) => c - (earlier.counts[i] ?? 0)) };
}

export function bucketsSum(parts: readonly Buckets[]): Buckets | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const counts = first.counts.map((_, i) => parts.reduce((s, p) => s + (p.counts[i] ?? 0), 0));
  return { boundaries: first.boundaries, counts };
}

/**
 * The q-quantile (0..1) estimated from buckets by linear interpolation inside the bucket where
 * it falls, in the buckets' unit; undefined when empty. Above the last boundary it returns the
 * last boundary (as `histogram_quantile` does).
 */
export function bucketQuantile(buckets: Buckets, q: number): number | undefined {
  const total = buckets.counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.counts.length; i++) {
    const count = buckets.counts[i] ?? 0;
    if (seen + count >= rank && count > 0) {
      const upper = buckets.boundaries[i];
      if (upper === undefined) return buckets.boundaries[buckets.boundaries.length - 1];
      const lower = i === 0 ? 0 : (buckets.boundaries[i - 1] ?? 0);
      return lower + (upper - lower) * ((rank - seen) / count);
    }
    seen += count;
  }
  return buckets.boundaries[buckets.boundaries.length - 1];
}
