/**
 * A simulated caller: its own balancer (the real core) on the shared virtual clock, a discovery
 * source fed by the fleet, health checks through a custom `check` that probes the simulated
 * instances, and open-loop Poisson arrivals. Outcomes go to the recorder.
 */
import { createBalancer, type Balancer, type DiscoverySource, type ServiceOptions } from '@datapunk/balancer';
import type { CallRequest, DiscoverySink, Timer } from '@datapunk/balancer/adapter';
import { seededRandom } from '@datapunk/balancer/testing';
import { startCall, type CallHandle } from './driver.js';
import type { Announced, SimFleet } from './fleet.js';
import type { Recorder } from './recorder.js';
import type { Scheduler } from './scheduler.js';
import { deriveSeed } from './seeds.js';

/** The logical service every simulated caller calls. */
export const SERVICE = 'backend';
const REQUEST: CallRequest = Object.freeze({ method: 'GET', url: new URL(`http://${SERVICE}/`) });

/** A call waiting for its deadline. */
interface Pending {
  readonly deadline: number;
  handle: CallHandle | undefined;
  done: boolean;
}

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
  /** Calls waiting for their deadline, oldest first (`deadlineHead` is the oldest still queued). */
  private readonly deadlines: Pending[] = [];
  private deadlineHead = 0;
  private deadlineTimer: Timer | undefined;
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
    this.balancer.observe({
      ejection: (e) => void (e.enforced && recorder.ejection(e.reason)),
      stateChanged: (e) => recorder.stateChange(e.from, e.to),
      panicChanged: (e) => recorder.panic(e.panic),
    });
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
    const pending: Pending = { deadline: sentAt + this.options.timeoutMs, handle: undefined, done: false };
    pending.handle = startCall(
      this.balancer,
      REQUEST,
      { send: (origin, onDone) => this.fleet.send(index, zone, origin, onDone) },
      (end) => {
        pending.done = true;
        pending.handle = undefined; // the call's objects are garbage now, not at its deadline
        this.inFlight--;
        this.recorder.call(index, sentAt, end);
      },
    );
    if (!pending.done) this.watch(pending);
  }

  /**
   * Callers' deadlines: every call of a client has the same timeout and calls start in time
   * order, so their deadlines come in the order they were queued. One timer for the oldest
   * deadline replaces a timer per call (a million fewer queued events in a large run).
   */
  private watch(pending: Pending): void {
    this.deadlines.push(pending);
    if (this.deadlineTimer === undefined) this.armDeadline();
  }

  private armDeadline(): void {
    while (this.deadlineHead < this.deadlines.length && this.deadlines[this.deadlineHead]!.done) this.deadlineHead++;
    if (this.deadlineHead > 1_024 && this.deadlineHead * 2 > this.deadlines.length) {
      this.deadlines.splice(0, this.deadlineHead);
      this.deadlineHead = 0;
    }
    const head = this.deadlines[this.deadlineHead];
    if (head === undefined) {
      this.deadlineTimer = undefined;
      return;
    }
    this.deadlineTimer = this.scheduler.after(head.deadline - this.scheduler.now, () => {
      const now = this.scheduler.now;
      while (this.deadlineHead < this.deadlines.length) {
        const p = this.deadlines[this.deadlineHead]!;
        if (!p.done && p.deadline > now) break;
        this.deadlineHead++;
        if (!p.done) p.handle?.abandon();
      }
      this.armDeadline();
    });
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
