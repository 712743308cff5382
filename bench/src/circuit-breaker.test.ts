/**
 * Keeps the circuit-breaker bench working on a shortened run (two 1.2 s cycles): the limit holds
 * (it is what the bench shows), rejections are ERR_CIRCUIT_OPEN, and every figure is there.
 * Speed and heap are not asserted: the machine is shared and a short run is noise.
 */
import { describe, expect, it } from 'vitest';
import { circuitBreakerMarkdown, runCircuitBreaker } from './circuit-breaker.js';

describe('circuit-breaker bench, shortened', () => {
  it('keeps attempts in flight at the limit, rejects the rest with ERR_CIRCUIT_OPEN, and renders every figure', { timeout: 30_000 }, async () => {
    const o = { ratePerSec: 200, limit: 5, fastMs: 300, slowMs: 400, recoverMs: 500, cycles: 2 };
    const r = await runCircuitBreaker(o);
    // 200/s x 200 ms is about 40 in flight without limits.
    expect(r.maxInFlight).toBeLessThanOrEqual(5);
    expect(r.rejection.count).toBeGreaterThan(0);
    expect(Object.keys(r.failures)).toContain('ERR_CIRCUIT_OPEN');
    expect(r.fast.requests + r.slow.requests + r.recovered.requests).toBe(480);
    expect(r.slow.success).toBeLessThan(1);
    expect(r.recoverySec).toHaveLength(2);
    expect(r.heapMB).toHaveLength(3);
    expect(r.heapMB.every(Number.isFinite)).toBe(true);
    const table = circuitBreakerMarkdown(r);
    expect(table).toContain('| back to 100% success after the fleet is fast again, per cycle |');
    expect(table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))).toHaveLength(7);
  });
});
