import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES } from '../defaults.js';
import type { CacheStore } from './cache-store.js';

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** LRU bound: the least recently used entry is evicted beyond it. Default 10_000. */
  maxEntries?: number;
  /**
   * Byte budget of keys and values together (a character counted as a byte: cached answers are
   * JSON, mostly ASCII, which V8 stores one byte per character). Least recently used entries are
   * evicted beyond it; a single entry larger than the whole budget is not stored. Default 64 MiB.
   */
  maxBytes?: number;
  /** Clock for expiry. Default the system clock. */
  clock?: Clock;
}

interface Entry {
  value: string;
  expiresAt: number;
  bytes: number;
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
  readonly maxBytes: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private heldBytes = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new InvalidOptionsError(`MemoryCacheStore: maxEntries must be an integer >= 1, got ${String(maxEntries)}`);
    }
    this.maxEntries = maxEntries;
    const maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new InvalidOptionsError(`MemoryCacheStore: maxBytes must be an integer >= 1, got ${String(maxBytes)}`);
    }
    this.maxBytes = maxBytes;
    this.clock = options.clock ?? systemClock;
  }

  /** Entries currently held (expired ones not yet evicted included). */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of keys and values held (see {@link MemoryCacheStoreOptions.maxBytes}). */
  get sizeBytes(): number {
    return this.heldBytes;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) {
      this.heldBytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.remove(key);
    const bytes = key.length + value.length;
    if (bytes > this.maxBytes) return; // larger than the whole budget: kept nowhere
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs, bytes });
    this.heldBytes += bytes;
    while (this.entries.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      this.remove(this.entries.keys().next().value as string);
    }
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.heldBytes = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }
}
