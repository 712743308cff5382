import type { IncomingHttpHeaders } from 'node:http';

/** Counters of one server since it started or since `resetStats()`. A snapshot: it does not change later. */
export interface ServerStats {
  /** Requests received, health probes included. */
  readonly total: number;
  /** Requests received on the health path. */
  readonly health: number;
  /** Requests received per path (the request target before `?`). */
  readonly byPath: Readonly<Record<string, number>>;
  /** Responses whose headers were sent, per status code. */
  readonly byStatus: Readonly<Record<number, number>>;
  /** Connections reset on purpose (`resetRate`, `health.resetConnection`); not counting `crash()`. */
  readonly resets: number;
  /** Requests accepted and left unanswered (`hang`, `health.hang`). */
  readonly hangs: number;
}

/** One received request, as logged by the server. */
export interface RequestRecord {
  readonly method: string;
  /** The request target as sent: path and query, e.g. `/api/orders?id=42`. */
  readonly url: string;
  /** Header names in lower case, as parsed by node:http. */
  readonly headers: IncomingHttpHeaders;
  /** The request body as UTF-8 text, cut at the server's `maxEchoBodyBytes`. */
  readonly body: string;
  /** True when `body` was cut. */
  readonly bodyTruncated: boolean;
  /** When the request arrived, in epoch milliseconds. */
  readonly at: number;
}

/** Mutable counters behind {@link ServerStats}. */
export class StatsRecorder {
  #total = 0;
  #health = 0;
  #resets = 0;
  #hangs = 0;
  #byPath = new Map<string, number>();
  #byStatus = new Map<number, number>();

  received(path: string, isHealth: boolean): void {
    this.#total++;
    if (isHealth) this.#health++;
    this.#byPath.set(path, (this.#byPath.get(path) ?? 0) + 1);
  }

  sent(status: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
  }

  reset(): void {
    this.#resets++;
  }

  hang(): void {
    this.#hangs++;
  }

  clear(): void {
    this.#total = this.#health = this.#resets = this.#hangs = 0;
    this.#byPath.clear();
    this.#byStatus.clear();
  }

  snapshot(): ServerStats {
    return {
      total: this.#total,
      health: this.#health,
      byPath: Object.fromEntries(this.#byPath),
      byStatus: Object.fromEntries(this.#byStatus) as Record<number, number>,
      resets: this.#resets,
      hangs: this.#hangs,
    };
  }
}

/** Keeps the last `limit` requests, oldest first. */
export class RequestLog {
  readonly #limit: number;
  #records: RequestRecord[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(record: RequestRecord): void {
    if (this.#limit === 0) return;
    this.#records.push(record);
    if (this.#records.length > this.#limit) this.#records.shift();
  }

  clear(): void {
    this.#records = [];
  }

  entries(): readonly RequestRecord[] {
    return this.#records.slice();
  }
}
