/** Unsubscribes a listener. */
export type Disposable = () => void;

/** Subscribes a listener; returns the function that removes it. */
export type Event<T> = (listener: (event: T) => void) => Disposable;

/**
 * A minimal typed event source. Emitting with no listeners costs one length check, so policies
 * can emit on the hot path: telemetry costs nothing when nobody listens.
 *
 * @example
 * const onOpen = new EventEmitter<{ reason: string }>();
 * const off = onOpen.event((e) => console.log(e.reason));
 * onOpen.emit({ reason: 'failures' }); off();
 */
export class EventEmitter<T> {
  private listeners: Array<(event: T) => void> = [];

  /** Subscribe: `emitter.event(listener)` returns a disposer. */
  readonly event: Event<T> = (listener) => {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  };

  /** True when at least one listener is attached (lets callers skip building the event object). */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  emit(event: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](event);
      } catch {
        // A listener's failure must never break the call it observes.
      }
    }
  }
}
