import type { BehaviorOptions } from './behavior.js';
import type { RandomSource } from './random.js';
import { startServer, type CloseOptions, type TestServer, type TestServerOptions } from './server.js';

/** Options of {@link startFleet}: every server option but `id` and `port`, which are per server. */
export interface FleetOptions extends Omit<TestServerOptions, 'id' | 'port' | 'behavior'> {
  /** Number of servers, at least 1. */
  count: number;
  /** Server ids are `<namePrefix>-<index>`, index from 0. Default `'server'`. */
  namePrefix?: string;
  /**
   * Source of randomness, shared by all servers (draws interleave in request order).
   * Default `Math.random`; pass `seededRandom(seed)` for reproducible faults.
   */
  random?: RandomSource;
  /** Initial behaviour of every server, or a function of the server's index. Default: healthy and fast. */
  behavior?: BehaviorOptions | ((index: number) => BehaviorOptions);
}

/** Several {@link TestServer}s started together, each on its own port. */
export interface Fleet {
  readonly servers: readonly TestServer[];
  /** The servers' origins, in index order. */
  readonly urls: readonly string[];
  /** The server at `index`, or the one with that `id`. Throws RangeError when there is none. */
  get(which: number | string): TestServer;
  /** Requests received per server id since the last reset, health probes excluded. */
  totals(): Record<string, number>;
  /** Applies the same behaviour change to every server. */
  setBehavior(patch: BehaviorOptions): void;
  /** Zeroes every server's counters and request log. */
  resetStats(): void;
  /** Closes every server (see {@link TestServer.close}). */
  close(options?: CloseOptions): Promise<void>;
}

/** Starts `count` servers in parallel; if any fails to start, the others are closed and the error is thrown. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { count, namePrefix = 'server', behavior, ...serverOptions } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`startFleet: count: expected an integer >= 1, got ${String(count)}`);
  }
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      startServer({
        ...serverOptions,
        id: `${namePrefix}-${index}`,
        behavior: typeof behavior === 'function' ? behavior(index) : behavior,
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(servers.map((s) => s.close({ graceMs: 0 })));
    throw failure.reason;
  }
  return createFleet(servers);
}

function createFleet(servers: readonly TestServer[]): Fleet {
  return {
    servers,
    urls: servers.map((s) => s.url),
    get(which) {
      const server = typeof which === 'number' ? servers[which] : servers.find((s) => s.id === which);
      if (server === undefined) throw new RangeError(`fleet has no server ${JSON.stringify(which)}`);
      return server;
    },
    totals() {
      return Object.fromEntries(servers.map((s) => [s.id, s.stats.total - s.stats.health]));
    },
    setBehavior(patch) {
      for (const s of servers) s.setBehavior(patch);
    },
    resetStats() {
      for (const s of servers) s.resetStats();
    },
    async close(closeOptions) {
      await Promise.all(servers.map((s) => s.close(closeOptions)));
    },
  };
}
