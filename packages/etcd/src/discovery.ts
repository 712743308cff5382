/**
 * `etcdDiscovery`: a discovery source that reads every key under a service's directory, delivers
 * the complete list, then watches the directory from the read's revision + 1 and delivers the
 * complete list again after every change.
 *
 * On any failure (etcd down or restarting, stream cut, a liveness check timing out) it reports
 * `sink.error` (the service keeps its last good list), waits a jittered exponential backoff,
 * reads the directory again and watches from there: nothing between the old and the new watch
 * is lost, because the new read is a complete snapshot. A watch cancelled because its revision
 * was compacted starts over the same way, at once.
 *
 * Entries are decoded and validated here, where the etcd key is known: a bad one is logged with
 * its key (once per change) and skipped. When every entry under the directory is bad, the list
 * is not delivered (that would drain every instance); `sink.error` reports it instead.
 */
import type { DiscoverySource } from '@datapunk/balancer';
import { errorFields, errorForLog, namespacedLogger, type DiscoverySink, type Timer } from '@datapunk/balancer/adapter';
import { backoffMs } from './backoff.js';
import { fromBase64, nextRevision, prefixRangeEnd, toBase64 } from './codec.js';
import { decodeEntry } from './entry.js';
import { listOf, type Slot } from './slots.js';
import { EtcdError, EtcdErrorCodes, answerError } from './errors.js';
import { Gateway } from './gateway.js';
import { guardWatch } from './watch-liveness.js';
import {
  CONNECTION_KEYS,
  Issues,
  checkKnownKeys,
  readMs,
  resolveConnection,
  warnInsecure,
  type EtcdConnectionConfig,
  type EtcdConnectionOptions,
} from './options.js';
import { cancelReasonDetail, streamErrorDetail, type Kv, type RangeResponse, type WatchMessage } from './protocol.js';

/** Options of `etcdDiscovery`: the connection (endpoints, TLS, auth), the key prefix to watch, value limits. */
export interface EtcdDiscoveryOptions extends EtcdConnectionOptions {
  /** Values larger than this are skipped with a warning, in bytes. Default 65536. */
  readonly maxValueBytes?: number;
  /**
   * While a watch is open, how often to check that its endpoint still answers, in milliseconds
   * (a cheap count-only read; a failure restarts the watch). This catches a member that vanished
   * without closing the connection. 0 disables. Default 10000.
   */
  readonly watchCheckIntervalMs?: number;
}

/** The etcd discovery source. */
export interface EtcdDiscovery extends DiscoverySource {
  readonly kind: 'etcd';
  /** The watched directory, e.g. `/datapunk/services/orders/`. */
  readonly directory: string;
  /** The revision the delivered list reflects, or undefined before the first read. */
  readonly revision: string | undefined;
}

interface DiscoveryConfig extends EtcdConnectionConfig {
  readonly maxValueBytes: number;
  readonly watchCheckIntervalMs: number;
}

/** Creates an etcd discovery source; throws `EtcdConfigError` (code `ERR_ETCD_CONFIG`) for bad options. */
export function etcdDiscovery(options: EtcdDiscoveryOptions): EtcdDiscovery {
  const issues = new Issues();
  checkKnownKeys(options, [...CONNECTION_KEYS, 'maxValueBytes', 'watchCheckIntervalMs'], issues);
  const connection = resolveConnection(options, issues);
  const config: DiscoveryConfig = {
    ...connection,
    logger: namespacedLogger(connection.logger, { component: 'etcd-discovery', service: connection.service }),
    maxValueBytes: readMs(options.maxValueBytes, 'maxValueBytes', issues, 65_536, 1),
    watchCheckIntervalMs: readMs(options.watchCheckIntervalMs, 'watchCheckIntervalMs', issues, 10_000),
  };
  issues.throwIfAny();
  warnInsecure(config);
  return new EtcdDiscoverySource(config);
}

/** Thrown inside the watch when etcd cancels it for compaction: read again, without backoff. */
class Compacted extends Error {}

class EtcdDiscoverySource implements EtcdDiscovery {
  readonly kind = 'etcd' as const;
  readonly directory: string;
  private readonly gateway: Gateway;
  private readonly rangeEnd: string;
  private sink: DiscoverySink | undefined;
  private closed = false;
  /** Keys under the directory (base64, as etcd sends them) and their decoded values. */
  private slots = new Map<string, Slot>();
  private currentRevision: string | undefined;
  private failures = 0;
  /** The error code of the last failure of the current streak. */
  private lastFailureCode: string | undefined;
  private lastDelivered: string | undefined;
  /** An error was reported since the last update: the next list is delivered even if unchanged. */
  private errorReported = false;
  private controller: AbortController | undefined;
  private sleeping: { timer: Timer; wake: () => void } | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly config: DiscoveryConfig) {
    this.directory = config.directory;
    this.rangeEnd = prefixRangeEnd(config.directory);
    this.gateway = new Gateway(config);
  }

  get revision(): string | undefined {
    return this.currentRevision;
  }

  start(sink: DiscoverySink): void {
    if (this.sink) throw new Error(`etcdDiscovery for ${this.directory} was already started; create one source per service`);
    if (this.closed) return;
    this.sink = sink;
    this.loop = this.run();
  }

  async close(): Promise<void> {
    if (this.closed) return this.loop;
    this.closed = true;
    this.controller?.abort(new Error('closed'));
    this.sleeping?.timer.cancel();
    this.sleeping?.wake();
    await this.loop;
    this.gateway.close();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        await this.read(controller.signal);
        await this.watch(controller);
      } catch (error) {
        if (this.closed) break;
        if (error instanceof Compacted) {
          this.config.logger.info(
            { event: 'etcd-watch-compacted', compactRevision: error.message },
            `watch revision compacted (at ${error.message}); reading ${this.directory} again`,
          );
          continue;
        }
        this.failed(error);
        await this.sleep(backoffMs(this.failures, this.config.backoffBaseMs, this.config.backoffMaxMs, this.config.runtime.random));
      } finally {
        controller.abort(new Error('watch restarted'));
      }
    }
  }

  /** Reads the whole directory, replaces the slots and delivers the list. */
  private async read(signal: AbortSignal): Promise<void> {
    const res = await this.gateway.call<RangeResponse>('/v3/kv/range', { key: toBase64(this.directory), range_end: this.rangeEnd }, { signal });
    const revision = res.header?.revision;
    if (typeof revision !== 'string') {
      const endpoint = this.gateway.endpoint.origin;
      throw new EtcdError(EtcdErrorCodes.RESPONSE, `etcd ${endpoint}: range answer has no header.revision`, { endpoint });
    }
    const previous = this.slots;
    this.slots = new Map();
    for (const kv of res.kvs ?? []) this.put(kv, previous.get(kv.key));
    this.currentRevision = revision;
    if (this.failures > 0) {
      this.config.logger.info(
        { event: 'etcd-discovery-recovered', failures: this.failures, revision },
        `read ${this.directory} again after ${this.failures} failures`,
      );
    }
    this.deliver();
  }

  /** Watches from the read revision + 1 until the stream fails (it never ends well). */
  private async watch(controller: AbortController): Promise<void> {
    const { runtime, requestTimeoutMs, watchCheckIntervalMs } = this.config;
    const { directory, rangeEnd, gateway } = this;
    const liveness = guardWatch({ runtime, gateway, directory, rangeEnd, requestTimeoutMs, watchCheckIntervalMs }, controller);
    const request = {
      create_request: { key: toBase64(this.directory), range_end: this.rangeEnd, start_revision: nextRevision(this.currentRevision) },
    };
    await this.gateway.stream(
      '/v3/watch',
      request,
      (message) => {
        if (!this.onWatchMessage(message as WatchMessage)) return;
        this.failures = 0;
        liveness.created();
      },
      controller.signal,
    );
  }

  /** Applies one watch message; returns true when it confirms the watch's creation. */
  private onWatchMessage(message: WatchMessage): boolean {
    if (message.error) {
      const { message: text, grpcCode } = streamErrorDetail(message.error);
      throw answerError(`etcd ${this.gateway.endpoint.origin} watch failed: ${text}`, grpcCode, this.gateway.endpoint.origin);
    }
    const result = message.result;
    if (!result) return false;
    if (result.canceled) {
      if (result.compact_revision !== undefined && result.compact_revision !== '0') throw new Compacted(result.compact_revision);
      // A token or permission refusal is an auth error (the gateway retries once with a new token).
      const { message: reason, grpcCode } = cancelReasonDetail(result.cancel_reason);
      throw answerError(`etcd ${this.gateway.endpoint.origin} cancelled the watch: ${reason}`, grpcCode, this.gateway.endpoint.origin);
    }
    const events = result.events ?? [];
    for (const event of events) {
      if (!event.kv) continue;
      if (event.type === 'DELETE') this.slots.delete(event.kv.key);
      else this.put(event.kv, this.slots.get(event.kv.key));
    }
    if (result.header?.revision !== undefined) this.currentRevision = result.header.revision;
    if (events.length > 0) this.deliver();
    return result.created === true;
  }

  /** Stores a key's value, decoding it unless this exact revision was decoded before. */
  private put(kv: Kv, previous: Slot | undefined): void {
    const modRevision = kv.mod_revision ?? '';
    if (previous && previous.modRevision === modRevision) {
      this.slots.set(kv.key, previous);
      return;
    }
    const key = fromBase64(kv.key).toString('utf8');
    const decoded = decodeEntry(key, kv.value, this.config.maxValueBytes);
    this.slots.set(kv.key, { key, modRevision, decoded });
  }

  /**
   * Delivers the valid entries, with the skipped ones named by their keys (the balancer logs and
   * counts them), unless none is valid while some are present.
   */
  private deliver(): void {
    const { entries, rejected, invalid } = listOf(this.slots.values());
    if (entries.length === 0 && invalid > 0) {
      const message = `every one of ${invalid} entries under ${this.directory} is invalid; keeping the last good list`;
      this.report(new EtcdError(EtcdErrorCodes.INVALID_LIST, message));
      return;
    }
    const fingerprint = JSON.stringify([entries, rejected]);
    if (fingerprint === this.lastDelivered && !this.errorReported) return;
    this.lastDelivered = fingerprint;
    this.errorReported = false;
    this.sink?.update(entries, { rejected });
  }

  private failed(error: unknown): void {
    this.failures++;
    const { code } = errorFields(error);
    const fields = { event: 'etcd-discovery-failed', failures: this.failures, err: errorForLog(error) };
    // Warn once per streak, and again when the cause changes (etcd restarted with an untrusted
    // certificate: "stream ended", then a TLS error): the new cause is what needs fixing.
    if (this.failures === 1 || code !== this.lastFailureCode) {
      this.config.logger.warn(fields, `etcd discovery of ${this.directory} failed; keeping the last good list and retrying`);
    } else this.config.logger.debug(fields, `etcd discovery of ${this.directory} failed again`);
    this.lastFailureCode = code;
    this.report(error);
  }

  private report(error: unknown): void {
    this.errorReported = true;
    this.sink?.error(error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: this.config.runtime.setTimeout(wake, ms), wake };
    });
  }
}
