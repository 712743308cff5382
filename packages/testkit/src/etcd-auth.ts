/**
 * etcd auth for tests, set up through the JSON gateway (Debian's `etcd-server` 3.4 ships no
 * `etcdctl`): a `root` user with the `root` role, one user per {@link EtcdTestUser} with a role
 * that may read and write its key prefix, then `auth enable`. After that every call needs a
 * token; {@link RootSession} holds one for the testkit's own calls and fetches a new one when etcd
 * forgets it (simple tokens expire after `--auth-token-ttl` seconds without use).
 */
import { gatewayPost, type EtcdClientTls, type GatewayAnswer } from './etcd-client.js';

/** A user to create, with read-write permission on the keys under `prefix`. */
export interface EtcdTestUser {
  readonly name: string;
  readonly password: string;
  /** Key prefix the user may read and write. Default `'/'` (every key). */
  readonly prefix?: string;
}

/** Options of auth in {@link startEtcd}. */
export interface EtcdAuthSetup {
  /** Password of `root`. Default: random. */
  readonly rootPassword?: string;
  /** Users to create besides root. Default none. */
  readonly users?: readonly EtcdTestUser[];
  /**
   * How long etcd keeps an unused simple token, in seconds (`--auth-token-ttl`; etcd checks once a
   * second, so a token dies between ttl and ttl + 1 s after its last use). Default 300 (etcd's).
   */
  readonly tokenTtlSeconds?: number;
}

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

/** The end of the range of keys starting with `prefix` (etcd's GetPrefixRangeEnd). */
function rangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]!++;
      return b64(end);
    }
  }
  return b64(Buffer.from([0]));
}

function check(path: string, answer: GatewayAnswer): Record<string, unknown> {
  if (answer.status !== 200) throw new Error(`etcd ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Creates root and the users, grants their prefixes, and enables auth. */
export async function enableAuth(endpoint: string, tls: EtcdClientTls | undefined, rootPassword: string, users: readonly EtcdTestUser[]): Promise<void> {
  const post = async (path: string, body: unknown): Promise<void> => {
    check(path, await gatewayPost(endpoint, path, body, { tls }));
  };
  await post('/v3/auth/user/add', { name: 'root', password: rootPassword });
  await post('/v3/auth/role/add', { name: 'root' });
  await post('/v3/auth/user/grant', { user: 'root', role: 'root' });
  for (const user of users) {
    const role = `${user.name}-role`;
    const prefix = user.prefix ?? '/';
    await post('/v3/auth/user/add', { name: user.name, password: user.password });
    await post('/v3/auth/role/add', { name: role });
    await post('/v3/auth/role/grant', { name: role, perm: { key: b64(prefix), range_end: rangeEnd(prefix), permType: 'READWRITE' } });
    await post('/v3/auth/user/grant', { user: user.name, role });
  }
  await post('/v3/auth/enable', {});
}

/** Authenticates `name` and returns the token, or throws with etcd's answer. */
export async function authenticate(endpoint: string, tls: EtcdClientTls | undefined, name: string, password: string): Promise<string> {
  const body = check('/v3/auth/authenticate', await gatewayPost(endpoint, '/v3/auth/authenticate', { name, password }, { tls }));
  if (typeof body['token'] !== 'string') throw new Error(`etcd /v3/auth/authenticate answered no token: ${JSON.stringify(body)}`);
  return body['token'];
}

/** Calls as root, keeping a token and fetching a new one when etcd rejects it. */
export class RootSession {
  #token: string | undefined;

  constructor(
    private readonly endpoint: () => string,
    private readonly tls: () => EtcdClientTls | undefined,
    private readonly password: string,
  ) {}

  async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      this.#token ??= await authenticate(this.endpoint(), this.tls(), 'root', this.password);
      const answer = await gatewayPost(this.endpoint(), path, body, { tls: this.tls(), token: this.#token });
      // 16 = Unauthenticated ("invalid auth token"): the token expired or etcd restarted.
      if (answer.status === 401 && answer.body['code'] === 16 && attempt === 1) {
        this.#token = undefined;
        continue;
      }
      return check(path, answer);
    }
  }
}
