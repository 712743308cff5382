/**
 * A simulated caller: its own balancer (the real core) on the shared virtual clock, a discovery
 * source fed by the fleet, health checks through a custom `check` that probes the simulated
 * instances, and open-loop Poisson arrivals. Outcomes go to the recorder.
 */
import { createBalancer, type Balancer, type CallRequest, type DiscoverySink, type DiscoverySource, type ServiceOptions } from '@datapunk/balancer';
import { seededRandom } from '@datapunk/balancer/testing';
import { startCall } from './driver.js';
import type { Announced, SimFleet } from './fleet.js';
import type { Recorder } from './recorder.js';
import type { Scheduler } from './scheduler.js';
import { deriveSeed } from './seeds.js';

/** The logical service every simulated caller calls. */
export const SERVICE = 'backend';
const REQUEST: CallRequest = Object.freeze({ method: 'GET', url: new URL(`http://${SERVICE}/`) });

export interface ClientOptions {
  readonly index: number;
  readonly zone: string | undefined;
  readonly ratePerS: number;
  readonly timeoutMs: number;
  readonly seed: number;
  /** Service options, discovery and health-check function excluded (the client adds them). */
  readonly service: Omit<ServiceOptions, 'instances' | 'discovery'>;
  /** Delay before a new list reaches this client, drawn per update in [0, max]. */
  readonly discoveryDelayMs: number;
  /** Random subsetting (the baseline): this client sees only `size` instances of each list. */
  readonly randomSubset: number | undefined;
}

export class SimClient {
  readonly balancer: Balancer;
  private readonly random: () => number;
  private sink: DiscoverySink | undefined;
  /** Calls started and not yet ended. */
  inFlight = 0;
  private stopped = false;
  /** When the last list update reaches this client: updates never overtake each other. */
  private lastDeliveryAt = 0;

  constructor(
    readonly options: ClientOptions,
    private readonly scheduler: Scheduler,
    private readonly fleet: SimFleet,
    private readonly recorder: Recorder,
  ) {
    this.random = seededRandom(deriveSeed(options.seed, 'arrivals', options.index));
    const discovery: DiscoverySource = {
      kind: 'sim',
      start: (sink) => {
        this.sink = sink;
        sink.update(this.visible(fleet.list()));
      },
      close: () => {
        this.sink = undefined;
      },
    };
    const healthCheck = options.service.healthCheck;
    this.balancer = createBalancer({
      runtime: scheduler.runtime(deriveSeed(options.seed, 'client', options.index)),
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      services: {
        [SERVICE]: {
          ...options.service,
          discovery,
          ...(healthCheck ? { healthCheck: { ...healthCheck, check: (target, signal) => this.probe(target.url, signal) } } : {}),
        },
      },
    });
    this.balancer.onEjection((e) => e.enforced && recorder.ejection(e.reason));
    this.balancer.onStateChange((e) => recorder.stateChange(e.from, e.to));
    this.balancer.onPanic((e) => recorder.panic(e.panic));
  }

  /** Starts the arrivals. */
  start(): void {
    this.scheduleArrival();
  }

  /** A new list from the fleet: reaches this client after its discovery delay, in order. */
  listChanged(entries: readonly Announced[]): void {
    const now = this.scheduler.now;
    const at = Math.max(this.lastDeliveryAt, now + this.random() * this.options.discoveryDelayMs);
    this.lastDeliveryAt = at;
    this.scheduler.after(at - now, () => this.sink?.update(this.visible(entries)));
  }

  /** Stops arrivals; calls in flight finish or are counted as unfinished. */
  stop(): void {
    this.stopped = true;
  }

  close(): Promise<void> {
    return this.balancer.close();
  }

  private visible(entries: readonly Announced[]): readonly Announced[] {
    const k = this.options.randomSubset;
    if (k === undefined || entries.length <= k) return entries;
    // Random subsetting: a fixed random rank per instance for this client (rendezvous hashing),
    // the k best ranked of the current list.
    const seed = deriveSeed(this.options.seed, 'random-subset', this.options.index);
    return [...entries]
      .map((e) => ({ e, rank: deriveSeed(seed, e.url) }))
      .sort((a, b) => a.rank - b.rank)
      .slice(0, k)
      .map((x) => x.e);
  }

  private scheduleArrival(): void {
    const gapMs = (-Math.log(1 - this.random()) / this.options.ratePerS) * 1000;
    this.scheduler.after(gapMs, () => {
      if (this.stopped) return;
      this.arrive();
      this.scheduleArrival();
    });
  }

  private arrive(): void {
    const sentAt = this.scheduler.now;
    const index = this.options.index;
    const zone = this.options.zone;
    this.inFlight++;
    const deadline = this.scheduler.after(this.options.timeoutMs, () => handle.abandon());
    const handle = startCall(
      this.balancer,
      REQUEST,
      { send: (origin, onDone) => this.fleet.send(index, zone, origin, onDone) },
      (end) => {
        deadline.cancel();
        this.inFlight--;
        this.recorder.call(index, sentAt, end);
      },
    );
  }

  private probe(url: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.fleet.probe(this.options.zone, url, (passed) => {
        signal.removeEventListener('abort', onAbort);
        if (passed) resolve();
        else reject(new Error('health probe failed (simulated)'));
      });
    });
  }
}
