/**
 * `register`: self-registration of an instance under a lease.
 *
 * The key `<prefix><service>/<key>` is put with a lease of `ttlSeconds`, kept alive every third
 * of the TTL. If the lease is lost (etcd lost its data, or the keepalives stopped for longer
 * than the TTL) a new one is granted and the key put again. `close()` revokes the lease, which
 * deletes the key at once (graceful deregistration: clients start draining the instance); a
 * process that dies simply stops the keepalives, and etcd deletes the key when the TTL runs out.
 */
import { errorFields, errorForLog, namespacedLogger, parseInstanceEntry, type Timer } from '@datapunk/balancer/adapter';
import { backoffMs } from './backoff.js';
import { toBase64 } from './codec.js';
import { EtcdError, EtcdErrorCodes, GrpcCodes } from './errors.js';
import { Gateway } from './gateway.js';
import { defaultInstanceKey, segmentProblem } from './keys.js';
import {
  CONNECTION_KEYS,
  Issues,
  checkKnownKeys,
  resolveConnection,
  show,
  warnInsecure,
  type EtcdConnectionConfig,
  type EtcdConnectionOptions,
} from './options.js';
import { type KeepAliveMessage, type LeaseGrantResponse } from './protocol.js';

/** Options of `register`: the instance to announce (url, weight, zone, metadata), its key and lease TTL. */
export interface RegisterOptions extends EtcdConnectionOptions {
  /** This instance's origin, e.g. `'http://10.0.0.5:8080'`. */
  readonly url: string;
  /** Relative weight, an integer from 1 to 10000. Default: left out (the balancer uses 1). */
  readonly weight?: number;
  readonly zone?: string;
  /** String metadata stored with the instance. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Lease time to live, in whole seconds: how long the key outlives a crashed process. Default 10. */
  readonly ttlSeconds?: number;
  /** The instance's key under the service directory. Default: `host:port` of `url`. */
  readonly key?: string;
}

/** A live registration. */
export interface Registration {
  /** The full etcd key, e.g. `/datapunk/services/orders/10.0.0.5:8080`. */
  readonly key: string;
  /** The JSON value stored at the key. */
  readonly value: string;
  /** The current lease id (decimal), or undefined while the registration is being restored. */
  readonly leaseId: string | undefined;
  /**
   * Graceful deregistration: stops the keepalives and revokes the lease, so the key disappears at
   * once. If etcd cannot be reached the key disappears after the TTL instead (logged). Idempotent.
   */
  close(): Promise<void>;
  /**
   * Stops keepalives without revoking, as if the process had crashed: the key disappears when
   * the lease's TTL runs out. For tests and for handing over to another registrar.
   */
  abandon(): void;
}

interface RegisterConfig extends EtcdConnectionConfig {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}

/**
 * Registers an instance and keeps it registered. Resolves once the key is written; rejects
 * (`EtcdError`) when the first registration fails, or `EtcdConfigError` for bad options.
 */
export async function register(options: RegisterOptions): Promise<Registration> {
  const registration = new LeaseRegistration(resolveRegisterConfig(options));
  await registration.start();
  return registration;
}

export function resolveRegisterConfig(options: RegisterOptions): RegisterConfig {
  const issues = new Issues();
  checkKnownKeys(options, [...CONNECTION_KEYS, 'url', 'weight', 'zone', 'metadata', 'ttlSeconds', 'key'], issues);
  const connection = resolveConnection(options, issues);
  const { url, weight, zone, metadata } = options;
  const entry = {
    url,
    ...(weight === undefined ? {} : { weight }),
    ...(zone === undefined ? {} : { zone }),
    ...(metadata === undefined ? {} : { metadata }),
  };
  const parsed = parseInstanceEntry(entry, 'instance');
  if (!parsed.ok) for (const issue of parsed.issues) issues.add(issue.path.replace(/^instance\./, ''), issue.message);
  const ttlSeconds = options.ttlSeconds ?? 10;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) {
    issues.add('ttlSeconds', `expected an integer number of seconds from 1 to 86400, got ${show(ttlSeconds)}`);
  }
  let key = options.key;
  if (key === undefined && parsed.ok) key = defaultInstanceKey(parsed.spec.url);
  const keyProblem = key === undefined ? undefined : segmentProblem(key, 'instance key');
  if (keyProblem) issues.add('key', keyProblem);
  issues.throwIfAny();
  const spec = parsed.ok ? parsed.spec : undefined;
  const value = JSON.stringify({ ...entry, url: spec!.url });
  const fullKey = `${connection.directory}${key!}`;
  const config = {
    ...connection,
    logger: namespacedLogger(connection.logger, { component: 'etcd-registration', key: fullKey }),
    key: fullKey,
    value,
    ttlSeconds,
  };
  warnInsecure(config);
  return config;
}

class LeaseRegistration implements Registration {
  readonly key: string;
  readonly value: string;
  private readonly gateway: Gateway;
  private readonly intervalMs: number;
  private lease: string | undefined;
  private state: 'active' | 'closed' | 'abandoned' = 'active';
  private timer: Timer | undefined;
  /** The keepalive or re-registration in progress. */
  private pending: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();
  private failures = 0;
  /** The error code of the last failure of the current streak. */
  private lastFailureCode: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly config: RegisterConfig) {
    this.key = config.key;
    this.value = config.value;
    this.gateway = new Gateway(config);
    this.intervalMs = Math.max(1, Math.floor((config.ttlSeconds * 1000) / 3));
  }

  get leaseId(): string | undefined {
    return this.lease;
  }

  async start(): Promise<void> {
    try {
      await this.establish();
    } catch (error) {
      this.state = 'closed';
      this.gateway.close();
      throw error;
    }
    this.config.logger.info({ event: 'etcd-registered', lease: this.lease, ttlSeconds: this.config.ttlSeconds }, `registered ${this.key}`);
    this.schedule(this.intervalMs);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasActive = this.state === 'active';
    this.state = 'closed';
    this.timer?.cancel();
    this.closing = wasActive ? this.revoke() : Promise.resolve();
    return this.closing;
  }

  abandon(): void {
    if (this.state !== 'active') return;
    this.state = 'abandoned';
    this.timer?.cancel();
    this.controller.abort(new Error('registration abandoned'));
    this.gateway.close();
    this.config.logger.info(
      { event: 'etcd-registration-abandoned', lease: this.lease },
      `stopped keeping ${this.key} alive; it expires within ${this.config.ttlSeconds} s`,
    );
  }

  /** Grants a lease and puts the key with it. */
  private async establish(): Promise<void> {
    const { signal } = this.controller;
    const grant = await this.gateway.call<LeaseGrantResponse>('/v3/lease/grant', { TTL: String(this.config.ttlSeconds) }, { signal });
    if (typeof grant.ID !== 'string' || grant.ID === '0') {
      const endpoint = this.gateway.endpoint.origin;
      throw new EtcdError(EtcdErrorCodes.RESPONSE, `etcd ${endpoint} refused the lease: ${grant.error ?? 'no lease id in the answer'}`, { endpoint });
    }
    this.lease = grant.ID;
    try {
      await this.gateway.call('/v3/kv/put', { key: toBase64(this.key), value: toBase64(this.value), lease: grant.ID }, { signal });
    } catch (error) {
      // Without the key the lease is useless; it expires on its own if this revoke fails too.
      void this.gateway.call('/v3/lease/revoke', { ID: grant.ID }).catch(() => {});
      this.lease = undefined;
      throw error;
    }
  }

  private schedule(ms: number): void {
    if (this.state !== 'active') return;
    this.timer = this.config.runtime.setTimeout(() => {
      this.pending = this.refresh();
    }, ms);
  }

  /** One keepalive; a lost lease is replaced; failures retry sooner than the interval. */
  private async refresh(): Promise<void> {
    const { logger } = this.config;
    try {
      if (this.lease !== undefined) {
        const answer = await this.gateway.call<KeepAliveMessage>(
          '/v3/lease/keepalive',
          { ID: this.lease },
          { signal: this.controller.signal, timeoutMs: Math.min(this.config.requestTimeoutMs, this.intervalMs) },
        );
        if (!(Number(answer.result?.TTL ?? 0) > 0)) {
          logger.warn(
            { event: 'etcd-lease-lost', lease: this.lease },
            `lease ${this.lease} of ${this.key} expired or was revoked; registering again`,
          );
          this.lease = undefined;
        }
      }
      if (this.lease === undefined) {
        await this.establish();
        logger.info({ event: 'etcd-registered', lease: this.lease, ttlSeconds: this.config.ttlSeconds }, `registered ${this.key} again`);
      }
      if (this.failures > 0) {
        logger.info({ event: 'etcd-registration-recovered', failures: this.failures }, `keepalive of ${this.key} works again`);
      }
      this.failures = 0;
      this.schedule(this.intervalMs);
    } catch (error) {
      if (this.state !== 'active') return;
      this.failures++;
      const { code } = errorFields(error);
      const fields = { event: 'etcd-keepalive-failed', failures: this.failures, err: errorForLog(error) };
      // Warn once per streak, and again when the cause changes.
      if (this.failures === 1 || code !== this.lastFailureCode) logger.warn(fields, `keeping ${this.key} alive failed; retrying`);
      else logger.debug(fields, `keeping ${this.key} alive failed again`);
      this.lastFailureCode = code;
      const { backoffBaseMs, backoffMaxMs, runtime } = this.config;
      this.schedule(Math.min(this.intervalMs, backoffMs(this.failures, backoffBaseMs, backoffMaxMs, runtime.random)));
    }
  }

  private async revoke(): Promise<void> {
    // Let a keepalive or re-registration in progress finish, so its lease is the one revoked.
    await this.pending.catch(() => {});
    const lease = this.lease;
    try {
      if (lease !== undefined) await this.gateway.call('/v3/lease/revoke', { ID: lease });
      this.config.logger.info({ event: 'etcd-deregistered', lease }, `deregistered ${this.key}`);
    } catch (error) {
      if (error instanceof EtcdError && error.grpcCode === GrpcCodes.NOT_FOUND) return;
      this.config.logger.warn(
        { event: 'etcd-revoke-failed', lease, err: errorForLog(error) },
        `could not revoke the lease of ${this.key}; it disappears within ${this.config.ttlSeconds} s`,
      );
    } finally {
      this.lease = undefined;
      this.gateway.close();
    }
  }
}
