import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOR, mergeBehavior, planHealth, planRequest } from './behavior.js';
import { seededRandom } from './random.js';

const noDraws = (): number => {
  throw new Error('must not draw');
};
/** A random source that returns the given values in order. */
const scripted = (...values: number[]) => () => {
  const v = values.shift();
  if (v === undefined) throw new Error('ran out of scripted values');
  return v;
};

describe('mergeBehavior', () => {
  it('applies a patch over the current behaviour and keeps the rest', () => {
    const a = mergeBehavior(DEFAULT_BEHAVIOR, { errorRate: 0.5, retryAfter: '3' });
    const b = mergeBehavior(a, { latencyMs: 20 });
    expect(b).toMatchObject({ errorRate: 0.5, retryAfter: '3', latencyMs: 20, errorStatus: 503, status: 200 });
    expect(Object.isFrozen(b)).toBe(true);
  });

  it('restores the default for a key given as undefined (zero stays zero)', () => {
    const a = mergeBehavior(DEFAULT_BEHAVIOR, { errorStatus: 500, retryAfter: '1', bodyBytes: 0 });
    expect(a.bodyBytes).toBe(0);
    const b = mergeBehavior(a, { errorStatus: undefined, retryAfter: undefined });
    expect(b.errorStatus).toBe(503);
    expect(b.retryAfter).toBeUndefined();
    expect(b.bodyBytes).toBe(0);
  });

  it('merges health field by field, and health: undefined restores all of it', () => {
    const a = mergeBehavior(DEFAULT_BEHAVIOR, { health: { status: 500, hang: true } });
    const b = mergeBehavior(a, { health: { hang: false } });
    expect(b.health).toMatchObject({ status: 500, hang: false });
    expect(mergeBehavior(b, { health: undefined }).health).toEqual(DEFAULT_BEHAVIOR.health);
  });

  it('lists every invalid field with its path', () => {
    expect(() =>
      mergeBehavior(DEFAULT_BEHAVIOR, {
        errorRate: 1.5,
        errorStatus: 42,
        latencyMs: { kind: 'uniform', minMs: -1, maxMs: 3 },
        health: { bodyBytes: -5 },
      }),
    ).toThrow(
      /latencyMs\.minMs: expected a number >= 0, got -1\n.*errorRate: expected a number in \[0, 1\], got 1\.5\n.*errorStatus: expected an HTTP status in \[200, 599\], got 42\n.*health\.bodyBytes: expected an integer >= 0, got -5/,
    );
  });
});

describe('planRequest', () => {
  it('answers the echo at once without drawing when nothing is injected', () => {
    expect(planRequest(DEFAULT_BEHAVIOR, noDraws)).toEqual({
      kind: 'respond',
      status: 200,
      headersDelayMs: 0,
      bodyDelayMs: 0,
      headers: {},
      body: { kind: 'echo' },
    });
  });

  it('hangs before any draw', () => {
    expect(planRequest(mergeBehavior(DEFAULT_BEHAVIOR, { hang: true, resetRate: 1 }), noDraws)).toEqual({ kind: 'hang' });
  });

  it('draws reset, then error, then latency', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, {
      resetRate: 0.2,
      errorRate: 0.5,
      retryAfter: '7',
      latencyMs: { kind: 'uniform', minMs: 0, maxMs: 100 },
      slowHeadersMs: 5,
    });
    expect(planRequest(b, scripted(0.1))).toEqual({ kind: 'reset' });
    expect(planRequest(b, scripted(0.3, 0.4, 0.25))).toEqual({
      kind: 'respond',
      status: 503,
      headersDelayMs: 30,
      bodyDelayMs: 0,
      headers: { 'retry-after': '7' },
      body: { kind: 'error' },
    });
    expect(planRequest(b, scripted(0.3, 0.6, 0.5))).toMatchObject({ status: 200, headersDelayMs: 55 });
  });

  it('uses status, slowBodyMs and bodyBytes for normal responses', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, { status: 201, slowBodyMs: 40, bodyBytes: 1000 });
    expect(planRequest(b, noDraws)).toMatchObject({ status: 201, bodyDelayMs: 40, body: { kind: 'bytes', bytes: 1000 } });
  });

  it('gives an error share near errorRate with a seeded source', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, { errorRate: 0.3 });
    const random = seededRandom(3);
    let errors = 0;
    for (let i = 0; i < 10_000; i++) {
      const plan = planRequest(b, random);
      if (plan.kind === 'respond' && plan.status === 503) errors++;
    }
    expect(errors / 10_000).toBeCloseTo(0.3, 1);
  });
});

describe('planHealth', () => {
  it('answers the health status, ignoring the main behaviour', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, { hang: true, errorRate: 1, health: { status: 500 } });
    expect(planHealth(b.health, noDraws)).toMatchObject({ kind: 'respond', status: 500, body: { kind: 'health' } });
  });

  it('redirects with a Location header', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, { health: { redirectTo: '/elsewhere' } });
    expect(planHealth(b.health, noDraws)).toMatchObject({
      status: 302,
      headers: { location: '/elsewhere' },
      body: { kind: 'redirect', location: '/elsewhere' },
    });
  });

  it('hangs before resetting, and resets before answering', () => {
    const h = (health: Parameters<typeof mergeBehavior>[1]) => mergeBehavior(DEFAULT_BEHAVIOR, health).health;
    expect(planHealth(h({ health: { hang: true, resetConnection: true } }), noDraws)).toEqual({ kind: 'hang' });
    expect(planHealth(h({ health: { resetConnection: true } }), noDraws)).toEqual({ kind: 'reset' });
  });
});

describe('stalls', () => {
  it('stalls the given share of requests by stallMs, drawn after the latency', () => {
    const b = mergeBehavior(DEFAULT_BEHAVIOR, { stallRate: 0.5, stallMs: 1_000 });
    const draws = [0.4, 0.6];
    const random = () => draws.shift()!;
    expect(planRequest(b, random)).toMatchObject({ kind: 'respond', stallMs: 1_000 });
    expect(planRequest(b, random)).not.toHaveProperty('stallMs');
  });

  it('rejects bad stall values', () => {
    expect(() => mergeBehavior(DEFAULT_BEHAVIOR, { stallRate: 2, stallMs: -1 })).toThrow(/stallRate[\s\S]*stallMs/);
  });
});
