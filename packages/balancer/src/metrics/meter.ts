/**
 * The meter the balancer records with (from the meter provider the application passed, else the
 * global one) and the instruments of the table, created once per meter. The SDK is the
 * application's choice; this package depends on the API only.
 */
import {
  createNoopMeter,
  metrics,
  ValueType,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricOptions,
  type ObservableGauge,
  type ObservableUpDownCounter,
} from '@opentelemetry/api';
import { INSTRUMENTS, type InstrumentId, type InstrumentKind, type InstrumentSpec } from './instruments.js';
import { VERSION } from './version.js';

/** Instrumentation scope name: the package name. */
export const METER_NAME = '@datapunk/balancer';

/** A meter and the table's instruments on it. */
export interface MeterState {
  readonly meter: Meter;
  readonly instruments: Instruments;
  /**
   * False for the API's no-op meter (no SDK registered yet): its instruments drop everything, so
   * the hot path skips working out attributes for them.
   */
  readonly records: boolean;
}

/** Where the balancer's meter comes from; `current()` is cheap and called once per event. */
export interface MeterSource {
  current(): MeterState;
}

/**
 * The `@datapunk/balancer` meter of `meterProvider`, fixed; or, without one, of the global
 * provider, resolved lazily: the API has no proxy meter provider, so a balancer created before
 * the application registers its SDK would otherwise hold the no-op meter for ever. `current()`
 * compares the global provider with the one it last saw (two property reads) and moves to the
 * new one when it changed, so recording starts with the first event after registration.
 */
export function resolveMeter(meterProvider?: MeterProvider): MeterSource {
  if (meterProvider) {
    const state = stateOf(meterProvider);
    return { current: () => state };
  }
  let provider = metrics.getMeterProvider();
  let state = stateOf(provider);
  return {
    current() {
      const now = metrics.getMeterProvider();
      if (now !== provider) {
        provider = now;
        state = stateOf(now);
      }
      return state;
    },
  };
}

function stateOf(provider: MeterProvider): MeterState {
  const meter = provider.getMeter(METER_NAME, VERSION);
  return { meter, instruments: instrumentsFor(meter), records: meter !== createNoopMeter() };
}

interface ByKind {
  Counter: Counter;
  Histogram: Histogram;
  ObservableGauge: ObservableGauge;
  ObservableUpDownCounter: ObservableUpDownCounter;
}

/** One API instrument per table entry, typed by its kind. */
export type Instruments = { readonly [Id in InstrumentId]: ByKind[(typeof INSTRUMENTS)[Id]['kind']] };

const created = new WeakMap<Meter, Instruments>();

/** The instruments of the table on `meter`, created on first use and shared by every service. */
export function instrumentsFor(meter: Meter): Instruments {
  let instruments = created.get(meter);
  if (!instruments) {
    const out: Partial<Record<InstrumentId, ByKind[InstrumentKind]>> = {};
    for (const id of Object.keys(INSTRUMENTS) as InstrumentId[]) out[id] = create(meter, INSTRUMENTS[id]);
    instruments = out as Instruments;
    created.set(meter, instruments);
  }
  return instruments;
}

function create(meter: Meter, spec: InstrumentSpec): ByKind[InstrumentKind] {
  const options: MetricOptions = {
    description: spec.description,
    unit: spec.unit,
    // Durations are fractional seconds; everything else counts whole things.
    valueType: spec.unit === 's' ? ValueType.DOUBLE : ValueType.INT,
    ...(spec.buckets ? { advice: { explicitBucketBoundaries: [...spec.buckets] } } : {}),
  };
  switch (spec.kind) {
    case 'Counter':
      return meter.createCounter(spec.name, options);
    case 'Histogram':
      return meter.createHistogram(spec.name, options);
    case 'ObservableGauge':
      return meter.createObservableGauge(spec.name, options);
    case 'ObservableUpDownCounter':
      return meter.createObservableUpDownCounter(spec.name, options);
  }
}
