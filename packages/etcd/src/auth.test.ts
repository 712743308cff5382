/**
 * AuthSession without etcd: the token's life (fetch on first use, discard when rejected, retry
 * once), single-flight authentication, auth switched off and on, and credentials kept secret.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthSession, Credentials, isTokenRejected, type AuthReason } from './auth.js';
import { EtcdError, EtcdErrorCodes, answerError } from './errors.js';

const ENDPOINT = 'https://127.0.0.1:2379';
/** What etcd 3.4's gateway answers for an expired or unknown token (HTTP 401). */
const expired = (): EtcdError => answerError(`etcd ${ENDPOINT} answered 401: etcdserver: invalid auth token`, 16, ENDPOINT);
/** What it answers when auth is on and the request has no token (HTTP 400). */
const userEmpty = (): EtcdError => answerError(`etcd ${ENDPOINT} answered 400: etcdserver: user name is empty`, 3, ENDPOINT);

/** A controllable authenticate: each call waits until `release()` and answers the next token. */
function authenticator(tokens: (string | undefined)[]) {
  const waiting: (() => void)[] = [];
  let calls = 0;
  const reasons: [AuthReason, boolean][] = [];
  const session = new AuthSession(
    async () => {
      calls++;
      await new Promise<void>((resolve) => waiting.push(resolve));
      if (tokens.length === 0) throw new EtcdError(EtcdErrorCodes.AUTH, 'no more tokens');
      return tokens.shift();
    },
    (reason, enabled) => reasons.push([reason, enabled]),
  );
  return {
    session,
    reasons,
    calls: () => calls,
    /** Lets every waiting authentication answer. */
    release: async (): Promise<void> => {
      for (let i = 0; i < 10 && waiting.length === 0; i++) await Promise.resolve();
      waiting.splice(0).forEach((resolve) => resolve());
    },
  };
}

/** A call that etcd answers with `valid` tokens accepted and every other token rejected as expired. */
function etcdCall(valid: Set<string | undefined>, seen: (string | undefined)[]) {
  return async (token: string | undefined): Promise<string> => {
    seen.push(token);
    if (!valid.has(token)) throw token === undefined ? userEmpty() : expired();
    return `ok with ${token}`;
  };
}

describe('AuthSession', () => {
  it('authenticates once for many concurrent first calls', async () => {
    const auth = authenticator(['t1']);
    const seen: (string | undefined)[] = [];
    const calls = Array.from({ length: 20 }, () => auth.session.run(etcdCall(new Set(['t1']), seen)));
    await auth.release();
    expect(await Promise.all(calls)).toEqual(Array(20).fill('ok with t1'));
    expect(auth.calls()).toBe(1);
    expect(auth.reasons).toEqual([['first-call', true]]);
  });

  it('when many calls see their token expire together, authenticates once and retries each once', async () => {
    const auth = authenticator(['t1', 't2']);
    const valid = new Set<string | undefined>(['t1']);
    const seen: (string | undefined)[] = [];
    const first = auth.session.run(etcdCall(valid, seen));
    await auth.release();
    await first;
    valid.clear(); // etcd forgets t1 (its TTL ran out)
    valid.add('t2');
    // Half the calls learn of the rejection only after the new token has arrived: they must not
    // discard it (that would authenticate a third time, and fail: there is no third token).
    let releaseLate!: () => void;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    const calls = Array.from({ length: 20 }, (_, i) =>
      auth.session.run(async (token) => {
        if (i >= 10 && token === 't1') await late;
        return etcdCall(valid, seen)(token);
      }),
    );
    await auth.release();
    expect(await Promise.all(calls.slice(0, 10))).toEqual(Array(10).fill('ok with t2'));
    releaseLate();
    await auth.release();
    expect(await Promise.all(calls)).toEqual(Array(20).fill('ok with t2'));
    expect(auth.calls()).toBe(2);
    expect(seen.filter((t) => t === 't1')).toHaveLength(21);
    expect(seen.filter((t) => t === 't2')).toHaveLength(20);
    expect(auth.reasons).toEqual([
      ['first-call', true],
      ['token-rejected', true],
    ]);
  });

  it('a call whose fresh token is rejected too fails with the rejection, without a third try', async () => {
    const auth = authenticator(['t1', 't2', 't3']);
    const seen: (string | undefined)[] = [];
    const call = auth.session.run(etcdCall(new Set(), seen));
    await auth.release();
    await auth.release();
    await expect(call).rejects.toMatchObject({ code: 'ERR_ETCD_AUTH', grpcCode: 16 });
    expect(seen).toEqual(['t1', 't2']);
    expect(auth.calls()).toBe(2);
  });

  it('other failures are not retried and keep the token', async () => {
    const auth = authenticator(['t1']);
    const denied = answerError(`etcd ${ENDPOINT} answered 403: etcdserver: permission denied`, 7, ENDPOINT);
    let tries = 0;
    const call = auth.session.run(async () => {
      tries++;
      throw denied;
    });
    await auth.release();
    await expect(call).rejects.toBe(denied);
    expect(tries).toBe(1);
    expect(await auth.session.token()).toBe('t1');
    expect(auth.calls()).toBe(1);
  });

  it('a failed authentication reaches every waiting call, and the next call authenticates again', async () => {
    const auth = authenticator([]);
    const calls = Array.from({ length: 3 }, () => auth.session.run(async () => 'never'));
    await auth.release();
    for (const call of calls) await expect(call).rejects.toThrow('no more tokens');
    expect(auth.calls()).toBe(1);
    const again = auth.session.token();
    await auth.release();
    await expect(again).rejects.toThrow('no more tokens');
    expect(auth.calls()).toBe(2);
  });

  it('with auth off calls go without a token until etcd asks for one', async () => {
    const auth = authenticator([undefined, 't1']);
    const valid = new Set<string | undefined>([undefined]);
    const seen: (string | undefined)[] = [];
    const first = auth.session.run(etcdCall(valid, seen));
    await auth.release();
    expect(await first).toBe('ok with undefined');
    expect(await auth.session.run(etcdCall(valid, seen))).toBe('ok with undefined');
    valid.clear(); // auth enabled on the server
    valid.add('t1');
    const later = auth.session.run(etcdCall(valid, seen));
    await auth.release();
    expect(await later).toBe('ok with t1');
    expect(seen).toEqual([undefined, undefined, undefined, 't1']);
    expect(auth.reasons).toEqual([
      ['first-call', false],
      ['token-rejected', true],
    ]);
  });
});

describe('isTokenRejected', () => {
  it('is true for an invalid, missing or stale token, false for everything else', () => {
    expect(isTokenRejected(expired())).toBe(true);
    expect(isTokenRejected(userEmpty())).toBe(true);
    expect(isTokenRejected(answerError('etcdserver: revision of auth store is old', 3))).toBe(true);
    expect(isTokenRejected(answerError('etcdserver: key is not provided', 3))).toBe(false);
    expect(isTokenRejected(answerError('etcdserver: permission denied', 7))).toBe(false);
    expect(isTokenRejected(new EtcdError(EtcdErrorCodes.UNAVAILABLE, 'down'))).toBe(false);
    expect(isTokenRejected(Object.assign(new Error('x'), { grpcCode: 16 }))).toBe(false);
  });

  it('etcd asking for a token is an auth error that says which option is missing', () => {
    expect(userEmpty()).toMatchObject({ code: 'ERR_ETCD_AUTH', message: expect.stringContaining('set the auth option') });
  });
});

describe('Credentials', () => {
  it('show the user name and never the password', () => {
    const credentials = new Credentials('app', 'hunter2-secret');
    for (const text of [inspect(credentials, { depth: 5 }), JSON.stringify(credentials), String(Object.values(credentials))]) {
      expect(text).not.toContain('hunter2');
    }
    expect(inspect(credentials)).toContain('app');
    expect(JSON.parse(credentials.authenticateBody())).toEqual({ name: 'app', password: 'hunter2-secret' });
  });
});
