/**
 * A second retry layer stacked on the balancer's: undici's `interceptors.retry` outside and
 * inside the balancer, axios-retry around a balanced axios instance, got's own retry settings.
 * None may hang or lose the response; where two layers retry, attempts multiply exactly as the
 * README says, and the adapter says so once in the log where it can see the outer layer.
 */
import { Writable } from 'node:stream';
import { createBalancer, type Balancer } from '@datapunk/balancer';
import { withBalancer as withAxios } from '@datapunk/balancer-axios';
import { withBalancer as withGot } from '@datapunk/balancer-got';
import { balancerInterceptor } from '@datapunk/balancer-undici';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import got from 'got';
import { pino } from 'pino';
import { Agent, interceptors, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

interface Rig {
  servers: RecordingServer[];
  balancer: Balancer;
  lines: Record<string, unknown>[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.balancer.close();
    await Promise.all(r.servers.map((s) => s.close()));
  }
});

/** Two instances that always answer 503; the balancer retries once on the other. */
async function rig(): Promise<Rig> {
  const servers = await Promise.all([0, 1].map((i) => startRecordingServer(`orders-${i}`)));
  for (const s of servers) {
    s.handle((_req, res) => {
      res.writeHead(503, { 'content-length': '4' });
      res.end('busy');
    });
  }
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const balancer = createBalancer({
    services: { orders: { instances: servers.map((s) => s.url), outlierDetection: false, retry: { maxRetries: 1, backoffBaseMs: 0, backoffMaxMs: 0 } } },
    logger: pino({ level: 'warn' }, stream),
  });
  const r = { servers, balancer, lines };
  rigs.push(r);
  return r;
}

const hits = (r: Rig) => r.servers.reduce((n, s) => n + s.processed.length, 0);
const stackWarnings = (r: Rig) => r.lines.filter((l) => l.event === 'stacked-retry');
const inFlight = (r: Rig) => r.balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.inFlight, 0);
const undiciRetry = () => interceptors.retry({ statusCodes: [503], maxRetries: 2, minTimeout: 1, maxTimeout: 1, timeoutFactor: 1 });

describe('retry layers stacked on the balancer', () => {
  it("undici's retry outside the balancer settles, and each of its tries is a balanced request: (1 + 2) x (1 + 1) attempts", async () => {
    const r = await rig();
    const dispatcher = new Agent().compose(balancerInterceptor(r.balancer), undiciRetry());
    for (let i = 0; i < 2; i++) {
      const error = await request('http://orders/x', { dispatcher }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe('UND_ERR_REQ_RETRY');
      expect((error as { statusCode?: number }).statusCode).toBe(503);
    }
    expect(hits(r)).toBe(12);
    expect(inFlight(r)).toBe(0);
    expect(stackWarnings(r)).toHaveLength(1); // once, not per request
    expect(stackWarnings(r)[0]).toMatchObject({ layer: 'undici interceptors.retry' });
    await dispatcher.close();
  });

  it("undici's retry inside the balancer settles: it repeats each of the balancer's attempts on the same instance", async () => {
    const r = await rig();
    const dispatcher = new Agent().compose(undiciRetry(), balancerInterceptor(r.balancer));
    const error = await request('http://orders/x', { dispatcher }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('UND_ERR_REQ_RETRY');
    expect(r.servers.map((s) => s.processed.length)).toEqual([3, 3]);
    expect(inFlight(r)).toBe(0);
    await dispatcher.close();
  });

  it('axios-retry around a balanced instance settles with the last 503, attempts multiply (1 + 3) x (1 + 1), and it is logged once', async () => {
    const r = await rig();
    const client = withAxios(axios.create(), r.balancer);
    axiosRetry(client, { retries: 3, retryCondition: (e) => e.response?.status === 503, retryDelay: () => 0 });
    const error = await client.get('http://orders/x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(axios.isAxiosError(error) && error.response?.status).toBe(503);
    expect(hits(r)).toBe(8);
    expect(stackWarnings(r)).toHaveLength(1);
    expect(stackWarnings(r)[0]).toMatchObject({ layer: 'axios-retry' });
  });

  it("got's own retry settings do not stack: the balancer drives got's retry, so attempts are 1 + the balancer's retries", async () => {
    const r = await rig();
    const client = withGot(got.extend({ retry: { limit: 5, statusCodes: [503] } }), r.balancer);
    const response = await client('http://orders/x', { throwHttpErrors: false });
    expect(response.statusCode).toBe(503);
    expect(hits(r)).toBe(2);
  });
});
