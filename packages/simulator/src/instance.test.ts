import { seededRandom } from '@datapunk/balancer/testing';
import { describe, expect, it } from 'vitest';
import type { SendResult } from './driver.js';
import { SimInstance, type InstanceOptions } from './instance.js';
import { Scheduler } from './scheduler.js';

const options = (o: Partial<InstanceOptions> = {}): InstanceOptions => ({
  index: 0,
  name: 'i-0',
  url: 'http://10.0.0.0:8080',
  zone: undefined,
  weight: 1,
  workers: 2,
  queue: 2,
  serviceMs: 10,
  ...o,
});

/** Sends `n` requests at once; returns what each got and when. */
function burst(s: Scheduler, i: SimInstance, n: number): { at: number; result: SendResult }[] {
  const out: { at: number; result: SendResult }[] = [];
  for (let k = 0; k < n; k++) i.receive((result) => out.push({ at: s.now, result }));
  return out;
}

describe('SimInstance', () => {
  it('serves `workers` at once, queues up to `queue`, and sheds the rest with 503 at once', async () => {
    const s = new Scheduler();
    const i = new SimInstance(options(), s, seededRandom(1));
    const got = burst(s, i, 5);
    expect(got).toEqual([{ at: 0, result: { status: 503 } }]);
    await s.run(100);
    expect(got.map((g) => [g.at, 'status' in g.result ? g.result.status : 'error'])).toEqual([
      [0, 503],
      [10, 200],
      [10, 200],
      [20, 200],
      [20, 200],
    ]);
    expect(i.shed).toBe(1);
  });

  it('scales service time while slow, answers errors fast, and hangs without answering', async () => {
    const s = new Scheduler();
    const i = new SimInstance(options({ workers: 10, queue: 0 }), s, seededRandom(1));
    i.fault.slowFactor = 3;
    const slow = burst(s, i, 1);
    await s.run(100);
    expect(slow[0]!.at).toBe(30);
    Object.assign(i.fault, { slowFactor: 1, errorRate: 1, errorStatus: 500, errorLatencyMs: 2 });
    const failed = burst(s, i, 1);
    await s.run(200);
    expect(failed).toEqual([{ at: 102, result: { status: 500 } }]);
    Object.assign(i.fault, { errorRate: 0, hang: true });
    const hung = burst(s, i, 3);
    let probed: boolean | undefined;
    i.probe((passed) => (probed = passed));
    await s.run(10_000);
    expect(hung).toEqual([]);
    expect(probed).toBeUndefined();
  });

  it('a crash resets what it holds and refuses until restarted, then starts cold', async () => {
    const s = new Scheduler();
    const i = new SimInstance(options({ workers: 1, queue: 5 }), s, seededRandom(1));
    const held = burst(s, i, 3);
    await s.run(5);
    i.crash();
    expect(held.map((h) => ('error' in h.result ? (h.result.error as { code?: string }).code : h.result.status))).toEqual(['ECONNRESET', 'ECONNRESET', 'ECONNRESET']);
    const refused = burst(s, i, 1);
    expect('error' in refused[0]!.result && (refused[0]!.result.error as { code?: string }).code).toBe('ECONNREFUSED');
    let probed: boolean | undefined;
    i.probe((passed) => (probed = passed));
    expect(probed).toBe(false);
    await s.run(50);
    i.start(1_000, 5); // cold: 5x at first, easing to 1x over a second
    const cold = burst(s, i, 1);
    await s.run(200);
    expect(cold[0]!.at - 50).toBeCloseTo(50, 5);
    await s.run(2_000);
    const warm = burst(s, i, 1);
    await s.run(2_100);
    expect(warm[0]!.at - 2_000).toBe(10);
    expect(held.length).toBe(3); // reset requests were not answered again when their service ended
  });
});
