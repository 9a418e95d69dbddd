import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { DEFAULT_CACHE_MAX_ENTRIES } from '../defaults.js';
import type { CacheStore } from './cache-store.js';

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** LRU bound: the least recently used entry is evicted beyond it. Default 10_000. */
  maxEntries?: number;
  /** Clock for expiry. Default the system clock. */
  clock?: Clock;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * An in-process LRU {@link CacheStore} with per-entry TTL. A `Map` keeps insertion order, so
 * re-inserting on read makes the first key the least recently used: O(1) get, set and eviction.
 * Expired entries are dropped lazily when read or when they reach the LRU end.
 *
 * @example const store = new MemoryCacheStore({ maxEntries: 1000 });
 */
export class MemoryCacheStore implements CacheStore {
  readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();

  constructor(options: MemoryCacheStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new InvalidOptionsError(`MemoryCacheStore: maxEntries must be an integer >= 1, got ${String(maxEntries)}`);
    }
    this.maxEntries = maxEntries;
    this.clock = options.clock ?? systemClock;
  }

  /** Entries currently held (expired ones not yet evicted included). */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
