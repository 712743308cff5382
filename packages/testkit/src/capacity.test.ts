import { describe, expect, it } from 'vitest';
import { Workers } from './capacity.js';
import { startServer } from './server.js';

describe('Workers', () => {
  it('serves `workers` at once, queues FIFO up to `queue`, refuses the rest, and measures the queue over time', () => {
    let now = 0;
    const workers = new Workers({ workers: 2, queue: 2 }, () => now);
    const started: number[] = [];
    const ask = (n: number) => workers.acquire(() => started.push(n));
    expect(ask(1)).not.toBe(false);
    expect(ask(2)).not.toBe(false);
    ask(3);
    const withdraw4 = ask(4);
    expect(ask(5)).toBe(false);
    expect(started).toEqual([1, 2]);
    now = 10;
    workers.release();
    expect(started).toEqual([1, 2, 3]);
    (withdraw4 as () => void)();
    now = 20;
    workers.release();
    expect(started).toEqual([1, 2, 3]);
    // Queue: 2 waiting for 10 ms, 0 for the next 10.
    expect(workers.stats).toEqual({ busy: 1, queued: 0, maxQueued: 2, meanQueued: 1, refused: 1 });
    workers.resetStats();
    expect(workers.stats).toMatchObject({ maxQueued: 0, refused: 0 });
  });

  it('rejects bad options with their paths', () => {
    expect(() => new Workers({ workers: 0, queue: -1 })).toThrow(/capacity.workers: expected an integer >= 1, got 0\n.*capacity.queue/);
  });
});

describe('a server with capacity', () => {
  it('answers one request per worker at a time and 503 past the queue, health outside the queue', async () => {
    const server = await startServer({ capacity: { workers: 1, queue: 1 }, behavior: { latencyMs: 150 } });
    try {
      const send = async (path: string) => {
        const res = await fetch(`${server.url}${path}`);
        await res.arrayBuffer();
        return { status: res.status };
      };
      const all = await Promise.all([send('/a'), send('/b'), send('/c'), send('/health')]);
      const statuses = all.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 503]);
      expect(server.queue).toMatchObject({ busy: 0, queued: 0, maxQueued: 1, refused: 1 });
    } finally {
      await server.close();
    }
  });
});
