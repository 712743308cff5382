import { describe, expect, it } from 'vitest';
import { classifyError, isGatewayFailure, isInstanceFailure, isLatencyPenalised } from './outcome.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    [err('ECONNREFUSED'), 'connect'],
    [err('UND_ERR_CONNECT_TIMEOUT'), 'connect'],
    [err('ENOTFOUND'), 'connect'],
    [err('ECONNRESET'), 'reset'],
    [err('UND_ERR_SOCKET'), 'reset'],
    [err('EPIPE'), 'reset'],
    [err('ETIMEDOUT'), 'timeout'],
    [err('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    [err('ERR_BALANCER_ATTEMPT_TIMEOUT'), 'timeout'],
    [err('ERR_CANCELED'), 'cancelled'],
    [err('UND_ERR_ABORTED'), 'cancelled'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'cancelled'],
    [new TypeError('fetch failed', { cause: err('ECONNREFUSED') }), 'connect'],
    [new Error('socket hang up'), 'reset'],
    [new Error('weird'), 'other'],
    ['a string', 'other'],
  ])('%s -> %s', (error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });
});

describe('failure predicates', () => {
  it.each([
    [{ kind: 'response', status: 200 } as const, false, false, false],
    [{ kind: 'response', status: 404 } as const, false, false, false],
    [{ kind: 'response', status: 429 } as const, false, false, true],
    [{ kind: 'response', status: 500 } as const, true, false, true],
    [{ kind: 'response', status: 503 } as const, true, true, true],
    [{ kind: 'failure', failure: 'connect' } as const, true, true, true],
    [{ kind: 'cancelled' } as const, false, false, false],
  ])('%j: instance %s, gateway %s, penalised %s', (outcome, instance, gateway, penalised) => {
    expect(isInstanceFailure(outcome)).toBe(instance);
    expect(isGatewayFailure(outcome)).toBe(gateway);
    expect(isLatencyPenalised(outcome)).toBe(penalised);
  });
});

describe('invalid requests', () => {
  it.each(['UND_ERR_INVALID_ARG', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH'])('%s is the request\'s fault, not the instance\'s', async (code) => {
    const { outcomeFromError, outcomeLabel } = await import('./outcome.js');
    const outcome = outcomeFromError(err(code));
    expect(outcome).toEqual({ kind: 'cancelled', by: 'invalid-request' });
    expect(isInstanceFailure(outcome)).toBe(false);
    expect(outcomeLabel(outcome)).toBe('invalid-request');
  });
});
