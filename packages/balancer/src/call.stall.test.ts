/**
 * The per-attempt timeout on the real runtime when this process stalls: a response that arrived
 * while the event loop was blocked must be read before the (late) timer blames the instance.
 */
import { createServer, connect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBalancer } from './balancer.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('per-attempt timeout and a stalled event loop', () => {
  it('a response already waiting in the socket wins over a timer that fired late', async () => {
    server = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\n\r\n'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const balancer = createBalancer({ services: { orders: { instances: [`http://127.0.0.1:${port}`], retry: { perAttemptTimeoutMs: 20 } } } });
    const attempt = balancer.call({ method: 'GET', url: new URL('http://orders/') })!.next();
    if (!attempt.ok) throw attempt.error;
    let timedOut = false;
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        attempt.arm(() => {
          timedOut = true;
          socket.destroy();
          resolve('timeout');
        });
        socket.once('data', () => {
          attempt.headers({ status: 200 }); // ends the deadline
          socket.destroy();
          resolve('response');
        });
        // Block the event loop well past the timeout; the response arrives meanwhile.
        const until = performance.now() + 120;
        while (performance.now() < until) {
          // busy: a stalled process (GC pause, CPU starvation, a long synchronous task)
        }
      });
    });
    expect(outcome).toBe('response');
    expect(timedOut).toBe(false);
    attempt.end();
    await balancer.close();
  });
});
