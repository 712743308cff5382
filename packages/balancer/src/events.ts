/**
 * Typed events as subscribe functions returning a disposable (cockatiel's `Event<T>` shape).
 * Emitting costs nothing when nobody listens.
 */

export interface Disposable {
  dispose(): void;
}

/** Subscribe with a listener; call `dispose()` on the result to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Owns the listeners of one event. Exposes `event` to subscribers and `emit` to its owner. */
export class EventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];

  /** The subscribe function to hand out. */
  readonly event: Event<T> = (listener) => {
    this.listeners = [...this.listeners, listener];
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Calls every listener; a throwing listener does not stop the others or the caller. */
  emit(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // A listener's bug must not break load balancing.
      }
    }
  }

  clear(): void {
    this.listeners = [];
  }
}
