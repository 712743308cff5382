/**
 * 10,000 random configurations per run (a fresh seed each run; fast-check prints it on failure):
 * every one is either accepted or rejected with a `BalancerConfigError` whose issues each name a
 * path. No other exception, no hang (every `close()` settles within a bound), no secret of the
 * input in the error, the log lines or the snapshot, and nothing left running either way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBalancer, type Balancer } from '../balancer.js';
import { BalancerConfigError } from '../errors.js';
import { instantiate, optionsTemplate, SECRET_MARK, type OptionsCase } from './options.test-helpers.js';

const RUNS = 10_000;
const ROOTS = /^(options|services|runtime|logger|meterProvider|metrics)([.[]|$)/;

/** Every generated secret starts with the mark: finding it means some of a secret came back. */
const leaks = (text: string): boolean => text.includes(SECRET_MARK);

/** A cheap assertion for the hot loop (vitest's expect costs more than a run of the property). */
function must(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Checks one case; an accepted balancer is closed and its `close()` promise kept in `closing`. */
function check(c: OptionsCase, closing: Promise<void>[]): 'accepted' | 'rejected' {
  let balancer: Balancer;
  try {
    balancer = createBalancer(c.options as never);
  } catch (error) {
    if (!(error instanceof BalancerConfigError)) throw new Error(`not a BalancerConfigError: ${String(error)}`, { cause: error });
    must(error.issues.length > 0, () => 'a BalancerConfigError without issues');
    for (const issue of error.issues) {
      must(ROOTS.test(issue.path) && typeof issue.message === 'string' && issue.message.length > 0, () => `an issue without a path or message: ${JSON.stringify(issue)}`);
    }
    must(!leaks(`${error.message}\n${JSON.stringify(error.issues)}`), () => `a secret in ${error.message}`);
    // A failed start leaves nothing running: every source started was closed, no timer is left.
    for (const s of c.sources) must(s.started === 0 || s.closed === s.started, () => `a source started ${s.started} times, closed ${s.closed}`);
    must(!c.runtime || c.runtime.pendingTimers({ includeUnref: true }) === 0, () => `timers left after a failed start: ${error.message}`);
    return 'rejected';
  }
  const snapshot = JSON.stringify(balancer.snapshot());
  must(!leaks(snapshot), () => `a secret in the snapshot ${snapshot}`);
  // close() cancels every timer and closes discovery before its first await; what is left (the
  // drain) settles later, and the test waits for all of them at the end.
  closing.push(balancer.close());
  const logs = c.logs.join('\n');
  must(!leaks(logs), () => `a secret in the logs:\n${logs}`);
  must(!c.runtime || c.runtime.pendingTimers({ includeUnref: true }) === 0, () => 'timers left after close()');
  return 'accepted';
}

describe('random configurations', () => {
  it(`${RUNS} configurations: accepted, or a BalancerConfigError naming paths; never another exception, a hang or a secret`, async () => {
    const seen = { accepted: 0, rejected: 0 };
    const closing: Promise<void>[] = [];
    // Synchronous, as createBalancer is: an async property costs twice the time per run.
    fc.assert(
      fc.property(optionsTemplate, (template) => {
        seen[check(instantiate(template), closing)]++;
      }),
      // More than the global 20 s bound, for a loaded machine; an interrupt still fails the test,
      // so a run never checks fewer than RUNS configurations.
      { numRuns: RUNS, interruptAfterTimeLimit: 60_000 },
    );
    // No hang: every close() settles, within a bound (it has nothing in flight to drain).
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5_000)));
    const settled = await Promise.race([Promise.all(closing).then(() => 'closed' as const), bound]);
    clearTimeout(timer);
    expect(settled).toBe('closed');
    // The arbitraries must reach both sides often, or the property says little.
    expect(seen.accepted).toBeGreaterThan(RUNS / 10);
    expect(seen.rejected).toBeGreaterThan(RUNS / 4);
  }, 60_000);
});
