/**
 * Where cached answers live. Async and string-valued so that a networked store (Redis, for
 * scale-out) fits the same contract as the in-memory LRU: values are serialized by the caller,
 * expiry is the store's job. `cache-store.contract.ts` is the suite every implementation passes.
 *
 * @example
 * await store.set('k', JSON.stringify(entry), 86_400_000);
 * const raw = await store.get('k'); // string | undefined
 */
export interface CacheStore {
  /** The value stored under `key`, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds (replacing any previous value). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes `key`; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases timers or connections. Optional for stores that hold none. */
  close?(): Promise<void>;
}
