import { describe, expect, it } from 'vitest';
import { describeFailure, HealthCheckFailure, HealthCheckTimeout } from './failure.js';

describe('describeFailure', () => {
  it.each<[string, unknown, string]>([
    ['a HealthCheckFailure', new HealthCheckFailure('status 500'), 'status 500'],
    ['the checker timeout', new HealthCheckTimeout(200), 'timeout'],
    ['a Node error with a code', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    ['a detail from another copy of the package', { detail: 'redirect 302', code: 'X' }, 'redirect 302'],
    ['a plain error', new Error('NOT_SERVING'), 'NOT_SERVING'],
    ['a string', 'nope', 'nope'],
    ['undefined', undefined, 'undefined'],
  ])('%s', (_name, error, expected) => {
    expect(describeFailure(error)).toBe(expected);
  });
});
