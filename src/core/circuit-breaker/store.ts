import type { Disposable } from '../events.js';
import type { BreakerSnapshot } from './snapshot.js';

/**
 * Where a breaker keeps its shared state. The breaker always decides on its *local* copy (the
 * hot path never waits on I/O); the store only sees transitions, never individual calls.
 *
 * Contract, in the order a breaker uses it:
 * 1. `get(key)` — once, at construction: the last known snapshot, read **synchronously**. A remote
 *    implementation (Redis) serves it from a local cache it warmed beforehand (e.g. an async
 *    `connect()`/`preload(keys)` before breakers are built); `undefined` = start closed.
 * 2. `subscribe(key, listener)` — once, at construction: the store calls `listener(snapshot)`
 *    whenever another breaker/process wrote `key`. The breaker adopts it through
 *    `applyRemote(snapshot)`: a snapshot older than the local state (`changedAt`) is ignored and
 *    an identical one is a no-op, so echoes of the breaker's own writes are harmless.
 *    The returned disposer is called by `breaker.dispose()`.
 * 3. `set(key, snapshot)` — on every *local* transition (never for applied remote ones, so two
 *    replicas do not ping-pong). Must not throw; an async implementation returns its promise and
 *    handles its own failures (the breaker does not await it and swallows a rejection).
 *
 * Keys are breaker names (`CircuitBreakerOptions.name`), e.g. `"openai:gpt-4o"`. Conflict rule:
 * last writer by `changedAt` wins.
 */
export interface BreakerStateStore {
  get(key: string): BreakerSnapshot | undefined;
  set(key: string, snapshot: BreakerSnapshot): void | Promise<void>;
  subscribe(key: string, listener: (snapshot: BreakerSnapshot) => void): Disposable;
}

/**
 * The in-process store (the default: each breaker gets its own unless one is passed). Share one
 * instance between breakers with the same name and they share decisions, exactly as replicas do
 * through a remote store — which makes it the reference implementation of the contract.
 *
 * @example
 * const store = new MemoryBreakerStateStore();
 * const a = new CircuitBreaker({ name: 'openai', store });
 * const b = new CircuitBreaker({ name: 'openai', store }); // b opens when a opens
 */
export class MemoryBreakerStateStore implements BreakerStateStore {
  private readonly snapshots = new Map<string, BreakerSnapshot>();
  private readonly listeners = new Map<string, Array<(snapshot: BreakerSnapshot) => void>>();

  get(key: string): BreakerSnapshot | undefined {
    return this.snapshots.get(key);
  }

  set(key: string, snapshot: BreakerSnapshot): void {
    this.snapshots.set(key, snapshot);
    const listeners = this.listeners.get(key);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(snapshot);
      } catch {
        // One subscriber's failure must not stop the others hearing about the change.
      }
    }
  }

  subscribe(key: string, listener: (snapshot: BreakerSnapshot) => void): Disposable {
    const list = this.listeners.get(key) ?? [];
    this.listeners.set(key, [...list, listener]);
    return () => {
      const current = this.listeners.get(key);
      if (!current) return;
      const rest = current.filter((l) => l !== listener);
      if (rest.length > 0) this.listeners.set(key, rest);
      else this.listeners.delete(key);
    };
  }
}
