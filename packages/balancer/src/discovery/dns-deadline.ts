/**
 * A resolver for one refresh: every query gets a deadline on the injected runtime (so tests drive
 * it with a fake clock, and a resolver that never answers cannot stall discovery), and `abort()`
 * ends the refresh: its deadline timers are cancelled and the queries still in flight cancelled.
 */
import type { Runtime, Timer } from '../runtime.js';
import { dnsError, type DnsAddressRecord, type DnsResolver, type DnsSrvRecord } from './dns-resolver.js';

export class DeadlineResolver implements DnsResolver {
  private readonly timers = new Set<Timer>();
  /** Queries the inner resolver has not answered yet (a timed-out query counts until it settles). */
  private pending = 0;
  private aborted = false;

  constructor(
    private readonly inner: DnsResolver,
    private readonly runtime: Runtime,
    private readonly timeoutMs: number,
  ) {}

  resolve4(hostname: string, options: { ttl: true }): Promise<DnsAddressRecord[]> {
    return this.deadline(`A ${hostname}`, () => this.inner.resolve4(hostname, options));
  }

  resolve6(hostname: string, options: { ttl: true }): Promise<DnsAddressRecord[]> {
    return this.deadline(`AAAA ${hostname}`, () => this.inner.resolve6(hostname, options));
  }

  resolveSrv(hostname: string): Promise<DnsSrvRecord[]> {
    return this.deadline(`SRV ${hostname}`, () => this.inner.resolveSrv(hostname));
  }

  /** Cancels the deadlines and, when any query is still in flight, every query on the inner resolver. */
  cancel(): void {
    this.abort();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    if (this.pending > 0) this.inner.cancel();
  }

  private deadline<T>(query: string, run: () => Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(dnsError('ECANCELLED', `DNS query ${query} cancelled`));
    this.pending++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        this.timers.delete(timer);
        timer.cancel();
        return true;
      };
      const timer = this.runtime.setTimeout(() => {
        if (finish()) reject(dnsError('ETIMEOUT', `DNS query ${query} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.timers.add(timer);
      let promise: Promise<T>;
      try {
        promise = run();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (value) => {
          this.pending--;
          if (finish()) resolve(value);
        },
        (error: unknown) => {
          this.pending--;
          if (finish()) reject(error);
        },
      );
    });
  }
}
