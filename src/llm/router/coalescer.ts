import { LlmError } from '../errors.js';

class Flight<T> {
  readonly controller = new AbortController();
  waiters = 0;
  settled = false;
  promise!: Promise<T>;
}

/**
 * Request coalescing: identical concurrent calls (same key) share one execution. Each caller
 * waits with its own signal; the shared work is aborted only once every caller has gone.
 * The entry is removed when the work settles, so later calls start afresh.
 *
 * @example const answer = await coalescer.join(key, signal, (shared) => callUpstream(shared)).promise;
 */
export class Coalescer<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Calls running now (for tests and inspection). */
  get inFlight(): number {
    return this.flights.size;
  }

  /** Joins the call running under `key`, or starts it with `start`. `leader` is true for the caller that started it. */
  join(key: string, signal: AbortSignal | undefined, start: (sharedSignal: AbortSignal) => Promise<T>): { promise: Promise<T>; leader: boolean } {
    let flight = this.flights.get(key);
    const leader = flight === undefined;
    if (flight === undefined) {
      const created = new Flight<T>();
      flight = created;
      this.flights.set(key, created);
      created.promise = start(created.controller.signal).finally(() => {
        created.settled = true;
        if (this.flights.get(key) === created) this.flights.delete(key);
      });
    }
    return { promise: this.wait(flight, signal), leader };
  }

  private wait(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      if (--flight.waiters === 0 && !flight.settled) flight.controller.abort(new LlmError('cancelled', 'Every caller of a coalesced request cancelled'));
    };
    if (signal === undefined) return flight.promise.finally(leave);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(new LlmError('cancelled', 'The caller cancelled the request', { cause: signal.reason }));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          leave();
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          leave();
          reject(error);
        },
      );
    });
  }
}
