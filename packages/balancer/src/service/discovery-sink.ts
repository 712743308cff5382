/**
 * The sink a service hands its discovery source, and the start of that source.
 *
 * Nothing a source passes is trusted: a list that is not an array (`update(null)`), details
 * whose `rejected` is not a list of `{ path, message }`, entries whose reading throws. Each
 * becomes a warning through the rejected-entries path (or a discovery failure) and the last
 * good list stays; nothing is thrown back into the source's callback. Problems a source reports
 * are redacted here, once, before they reach logs, events or metrics.
 */
import { keyPath, show } from '../config/validate.js';
import type { DiscoverySink, DiscoverySource } from '../discovery/source.js';
import { BalancerConfigError, type ConfigIssue } from '../errors.js';
import { errorFields } from '../logger.js';
import { redactText } from '../redact.js';

/** What the sink drives on its service. */
export interface SinkTarget {
  /** True once the service is closed: later calls are ignored. */
  isClosed(): boolean;
  /** Applies a list (its bad entries are skipped) with the records the source skipped. */
  update(entries: readonly unknown[], skipped: readonly ConfigIssue[]): void;
  /** The source failed to refresh, or its update could not be read. */
  failed(error: unknown): void;
}

/** The records a source says it skipped, as redacted strings, plus a problem if they are not a list. */
function sourceIssues(details: unknown, source: string): ConfigIssue[] {
  if (details === undefined || details === null) return [];
  const rejected = (details as { rejected?: unknown }).rejected;
  if (rejected === undefined) return [];
  if (!Array.isArray(rejected)) return [{ path: source, message: `expected details.rejected to be an array, got ${show(rejected)}` }];
  return rejected.map((r: unknown) => {
    const { path, message } = (typeof r === 'object' && r !== null ? r : {}) as { path?: unknown; message?: unknown };
    return {
      path: typeof path === 'string' && path ? redactText(path) : source,
      message: typeof message === 'string' ? redactText(message) : `rejected by the source (${show(r)})`,
    };
  });
}

/** The sink for a service whose discovery source is named `source` (its `kind`). */
export function discoverySink(source: string, target: SinkTarget): DiscoverySink {
  return {
    update(entries: unknown, details?: unknown) {
      if (target.isClosed()) return;
      try {
        const skipped = sourceIssues(details, source);
        if (Array.isArray(entries)) target.update(entries, skipped);
        else target.update([], [...skipped, { path: source, message: `expected an array of instance entries, got ${show(entries)}` }]);
      } catch (error) {
        target.failed(error);
      }
    },
    error(error: unknown) {
      if (!target.isClosed()) target.failed(error);
    },
  };
}

/**
 * Starts `discovery` on `sink`. A source that throws in `start` is a bad option of the service
 * it belongs to: a `BalancerConfigError` at `services.<name>.discovery`, caused by that error.
 */
export function startDiscovery(discovery: DiscoverySource, service: string, sink: DiscoverySink): void {
  try {
    discovery.start(sink);
  } catch (error) {
    const path = `${keyPath('services', service)}.discovery`;
    throw new BalancerConfigError([{ path, message: `start() threw: ${errorFields(error).message}` }], { cause: error });
  }
}
