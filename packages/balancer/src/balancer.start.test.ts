/**
 * A failed start leaves nothing running: when a later service's discovery throws in `start`,
 * the services started before it are stopped (their discovery closed, no timer left), and the
 * caller gets a `BalancerConfigError` naming the source, with the source's error as its cause.
 */
import { describe, expect, it } from 'vitest';
import { createBalancer } from './balancer.js';
import type { DiscoverySource } from './discovery/source.js';
import { BalancerConfigError } from './errors.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

function trackedSource(kind: string, entries: readonly string[]) {
  const calls = { started: 0, closed: 0 };
  const source: DiscoverySource = {
    kind,
    start(sink) {
      calls.started++;
      sink.update(entries);
    },
    close() {
      calls.closed++;
    },
  };
  return { source, calls };
}

const throwing = (message: string): DiscoverySource => ({
  kind: 'broken',
  start() {
    throw new Error(message);
  },
  close() {},
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a failed start', () => {
  it('a later service whose discovery throws in start stops the services started before it', () => {
    const runtime = createFakeRuntime();
    const a = trackedSource('a', ['http://127.0.0.1:8001']);
    const error = caught(() =>
      createBalancer({
        runtime,
        services: {
          alpha: { discovery: a.source, healthCheck: { intervalMs: 1_000 }, slowStart: { windowMs: 10_000 } },
          beta: { instances: ['http://127.0.0.1:8002'], healthCheck: { intervalMs: 1_000 } },
          gamma: { discovery: throwing('registry unreachable') },
        },
      }),
    );
    expect(error instanceof BalancerConfigError).toBe(true);
    const e = error as BalancerConfigError;
    expect(e.issues).toEqual([{ path: 'services.gamma.discovery', message: 'start() threw: registry unreachable' }]);
    expect((e.cause as Error).message).toBe('registry unreachable');
    expect(a.calls).toEqual({ started: 1, closed: 1 });
    // Health checks, the outlier sweeps and every other timer of alpha and beta are gone, and
    // health probes (the only sockets the core opens) start only from those timers.
    expect(runtime.pendingTimers({ includeUnref: true })).toBe(0);
  });
});
