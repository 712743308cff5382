/**
 * What a test server holds open: its sockets (hung ones apart) and its response timers. Kept in
 * one place so that `crash()` and `close()` can end all of them and wait until the OS has let go,
 * and a leak would show in `process.getActiveResourcesInfo()`.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export class Connections {
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Tracks every connection `http` accepts until it closes. */
  constructor(http: Server) {
    http.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#hung.delete(socket);
      });
    });
  }

  /** Sockets whose request was left unanswered on purpose. */
  get hung(): number {
    return this.#hung.size;
  }

  /** Leaves the request on `socket` unanswered until the client or `close()` ends it. */
  hang(socket: Socket): void {
    this.#hung.add(socket);
  }

  /** Destroys the hung sockets (nothing will ever answer them). */
  destroyHung(): void {
    for (const socket of this.#hung) socket.destroy();
  }

  /**
   * Runs `fn` after `ms` (at once when 0) unless the response closes first. The timer is tracked and
   * stays ref'd (the request's socket keeps the process alive anyway), so a leak would show in
   * `process.getActiveResourcesInfo()`; `destroyAll()` clears it.
   */
  after(ms: number, res: ServerResponse, fn: () => void): void {
    if (ms <= 0) return fn();
    const cancel = (): void => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      res.off('close', cancel);
      if (!res.destroyed) fn();
    }, ms);
    this.#timers.add(timer);
    res.once('close', cancel);
  }

  /** Clears every timer and destroys every socket (`reset`: with a TCP reset, as a crash would). */
  destroyAll(reset: boolean): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) {
      if (reset && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  /**
   * Waits, after destroyAll(), until the listener (`stopped`), every socket and every request
   * (`idle`) are gone, then two turns of the event loop: net.Server emits 'close' before libuv runs
   * the handle's close callback, and until then the handle still shows in
   * process.getActiveResourcesInfo().
   */
  async settle(stopped: Promise<void>, idle: Promise<void>): Promise<void> {
    const sockets = [...this.#sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    await Promise.all([stopped, idle, ...sockets]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
