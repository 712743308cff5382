/**
 * The balancer interceptor over a fake dispatch (`fake-dispatch.test-helpers.ts`), on the fake
 * runtime: three instances, round robin, two retries and a 1 s per-attempt timeout unless a test
 * says otherwise; the caller is a recording handler.
 */
import { createBalancer, type ServiceOptions } from '@datapunk/balancer';
import { createFakeRuntime } from '@datapunk/balancer/testing';
import { fakeDispatch, RecordingHandler, type Sent } from './fake-dispatch.test-helpers.js';
import { balancerInterceptor } from './interceptor.js';

export const origins = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

export function setup(service: Partial<ServiceOptions> = {}) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({
    services: {
      orders: {
        instances: origins,
        strategy: 'round-robin',
        outlierDetection: false,
        retry: { maxRetries: 2, perAttemptTimeoutMs: 1_000 },
        ...service,
      },
    },
    runtime,
  });
  const { dispatch, sent } = fakeDispatch();
  const balanced = balancerInterceptor(balancer)(dispatch);
  const caller = new RecordingHandler();
  const send = (opts: Partial<Parameters<typeof balanced>[0]> = {}) =>
    balanced({ origin: 'http://orders', path: '/api/v1/orders/42?x=1', method: 'GET', ...opts }, caller);
  const instances = () => balancer.snapshot().services.orders!.instances;
  const totals = () => {
    const sum = { requests: 0, failures: 0, cancelled: 0, inFlight: 0 };
    for (const i of instances()) {
      sum.requests += i.totals.requests;
      sum.failures += i.totals.failures;
      sum.cancelled += i.totals.cancelled;
      sum.inFlight += i.inFlight;
    }
    return sum;
  };
  const last = (): Sent => sent.at(-1)!;
  return { runtime, balancer, sent, caller, send, totals, last };
}
