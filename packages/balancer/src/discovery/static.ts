/**
 * A static discovery source: a fixed list, which can also be replaced by hand with `set()` (for
 * tests, or for applications that learn instances some other way).
 */
import type { DiscoverySink, DiscoverySource } from './source.js';

export interface StaticDiscovery extends DiscoverySource {
  /** Replaces the list; the service diffs it against the current one. */
  set(entries: readonly unknown[]): void;
  /** Reports a refresh failure (the last good list stays in use). */
  fail(error: unknown): void;
}

/** A discovery source holding `initial` until `set()` replaces it (tests, or instances learnt some other way). */
export function staticDiscovery(initial: readonly unknown[] = []): StaticDiscovery {
  const sinks = new Set<DiscoverySink>();
  let entries = initial;
  return {
    kind: 'static',
    start(sink) {
      sinks.add(sink);
      sink.update(entries);
    },
    set(next) {
      entries = next;
      for (const s of sinks) s.update(entries);
    },
    fail(error) {
      for (const s of sinks) s.error(error);
    },
    close() {
      sinks.clear();
    },
  };
}
