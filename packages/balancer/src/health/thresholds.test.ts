import { describe, expect, it } from 'vitest';
import { applyResult, NO_STREAK, type Streak } from './thresholds.js';

type Health = 'healthy' | 'unhealthy';
const thresholds = { unhealthyThreshold: 3, healthyThreshold: 2 };

/** Runs a sequence of results ('p' pass, 'f' fail) from `start`; returns health and streak after each. */
function run(start: Health, results: string): string[] {
  let health = start;
  let streak: Streak = NO_STREAK;
  return [...results].map((c) => {
    const v = applyResult(streak, c === 'p', health, thresholds);
    streak = v.streak;
    health = v.health;
    return `${health}/${v.length}`;
  });
}

describe('health thresholds', () => {
  it.each<[string, Health, string, string[]]>([
    ['falls after 3 failures in a row', 'healthy', 'fff', ['healthy/1', 'healthy/2', 'unhealthy/3']],
    ['a pass resets the failure count', 'healthy', 'ffpff', ['healthy/1', 'healthy/2', 'healthy/1', 'healthy/1', 'healthy/2']],
    ['rises after 2 passes in a row', 'healthy', 'fffpp', ['healthy/1', 'healthy/2', 'unhealthy/3', 'unhealthy/1', 'healthy/2']],
    ['a failure resets the pass count', 'healthy', 'fffpfpp', ['healthy/1', 'healthy/2', 'unhealthy/3', 'unhealthy/1', 'unhealthy/1', 'unhealthy/1', 'healthy/2']],
    ['failures keep counting once unhealthy', 'healthy', 'ffff', ['healthy/1', 'healthy/2', 'unhealthy/3', 'unhealthy/4']],
    ['initially unhealthy: the first pass is enough', 'unhealthy', 'p', ['healthy/1']],
    ['initially unhealthy: after a first failure the threshold applies', 'unhealthy', 'fpp', ['unhealthy/1', 'unhealthy/1', 'healthy/2']],
  ])('%s', (_name, start, results, expected) => {
    expect(run(start, results)).toEqual(expected);
  });

  it('thresholds of 1 flip on every change', () => {
    let streak: Streak = NO_STREAK;
    let health: Health = 'healthy';
    const seen: Health[] = [];
    for (const passed of [false, true, false, true]) {
      ({ streak, health } = applyResult(streak, passed, health, { unhealthyThreshold: 1, healthyThreshold: 1 }));
      seen.push(health);
    }
    expect(seen).toEqual(['unhealthy', 'healthy', 'unhealthy', 'healthy']);
  });
});
