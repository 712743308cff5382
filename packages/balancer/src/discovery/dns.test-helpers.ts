/** A scripted DNS resolver, a recording sink and a capturing logger for DNS discovery tests. */
import type { Logger } from '../logger.js';
import { dnsError, type DnsAddressRecord, type DnsResolver, type DnsSrvRecord } from './dns-resolver.js';
import type { DiscoverySink } from './source.js';

/** What a query answers: records, an error code (`ENOTFOUND`, `ENODATA`, `ESERVFAIL`...), or `'hang'`. */
export type Scripted<T> = T[] | string | 'hang';

type QueryType = 'A' | 'AAAA' | 'SRV';

export class FakeResolver implements DnsResolver {
  /** Answers by `"<type> <name>"`; an unscripted query answers NXDOMAIN. */
  readonly answers = new Map<string, Scripted<DnsAddressRecord> | Scripted<DnsSrvRecord>>();
  /** Every query, as `"<type> <name>"`. */
  readonly calls: string[] = [];
  cancels = 0;
  private hanging: ((error: Error) => void)[] = [];

  set(type: 'A' | 'AAAA', name: string, answer: Scripted<DnsAddressRecord>): this;
  set(type: 'SRV', name: string, answer: Scripted<DnsSrvRecord>): this;
  set(type: QueryType, name: string, answer: Scripted<DnsAddressRecord> | Scripted<DnsSrvRecord>): this {
    this.answers.set(`${type} ${name}`, answer);
    return this;
  }

  /** Queries still waiting (scripted `'hang'`). */
  get hangingQueries(): number {
    return this.hanging.length;
  }

  resolve4(name: string): Promise<DnsAddressRecord[]> {
    return this.answer('A', name) as Promise<DnsAddressRecord[]>;
  }

  resolve6(name: string): Promise<DnsAddressRecord[]> {
    return this.answer('AAAA', name) as Promise<DnsAddressRecord[]>;
  }

  resolveSrv(name: string): Promise<DnsSrvRecord[]> {
    return this.answer('SRV', name) as Promise<DnsSrvRecord[]>;
  }

  cancel(): void {
    this.cancels++;
    const hanging = this.hanging;
    this.hanging = [];
    for (const reject of hanging) reject(dnsError('ECANCELLED', 'cancelled'));
  }

  private answer(type: QueryType, name: string): Promise<unknown[]> {
    const key = `${type} ${name}`;
    this.calls.push(key);
    const scripted = this.answers.get(key) ?? 'ENOTFOUND';
    if (scripted === 'hang') return new Promise((_, reject) => this.hanging.push(reject));
    if (typeof scripted === 'string') return Promise.reject(dnsError(scripted, `query${type} ${scripted} ${name}`));
    return Promise.resolve(scripted.map((r) => ({ ...r })));
  }
}

/** A sink that records what it is given. */
export function recordingSink(): DiscoverySink & { updates: unknown[][]; errors: unknown[] } {
  const updates: unknown[][] = [];
  const errors: unknown[] = [];
  return {
    updates,
    errors,
    update: (entries) => updates.push([...entries]),
    error: (error) => errors.push(error),
  };
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/**
 * A pino-compatible logger keeping every line (child bindings merged into the fields, and the
 * balancer's `balancer` namespace flattened into them, so tests read `fields.event`).
 */
export function captureLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: LogLine['level']) => (fields: object, message?: string) => {
      const { balancer, ...rest } = fields as { balancer?: Record<string, unknown> };
      lines.push({ level, fields: { ...bindings, ...balancer, ...rest }, message });
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => make({ ...bindings, ...more }) };
  };
  return Object.assign(make({}), { lines });
}
