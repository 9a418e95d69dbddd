import type { Clock } from '../../../core/clock.js';
import type { ChatResponse } from '../../types.js';
import type { CacheStore } from './cache-store.js';

/** What is stored per key: the answer and when it was stored (freshness is judged on read). */
interface StoredAnswer {
  response: ChatResponse;
  storedAt: number;
}

/** A cache lookup: the answer and whether it is still fresh for the asking route. */
export interface CacheHit {
  response: ChatResponse;
  fresh: boolean;
  ageMs: number;
}

/**
 * Answers kept for two uses: fresh hits for routes that opt into caching, and the last good
 * answer for stale-if-error. Entries live `staleTtlMs` in the store; each route judges freshness
 * with its own TTL, so one entry serves both uses. Store failures never fail a request: a broken
 * cache behaves as a miss.
 */
export class ResponseCache {
  constructor(
    private readonly store: CacheStore,
    private readonly clock: Clock,
    /** How long entries are kept for stale-if-error (ms). */
    private readonly staleTtlMs: number,
  ) {}

  async get(key: string, freshTtlMs: number): Promise<CacheHit | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.store.get(key);
    } catch {
      return undefined;
    }
    if (raw === undefined) return undefined;
    let stored: StoredAnswer;
    try {
      stored = JSON.parse(raw) as StoredAnswer;
    } catch {
      return undefined;
    }
    if (!stored || typeof stored.storedAt !== 'number' || !stored.response) return undefined;
    const ageMs = this.clock.now() - stored.storedAt;
    return { response: stored.response, fresh: ageMs < freshTtlMs, ageMs };
  }

  async set(key: string, response: ChatResponse, freshTtlMs: number): Promise<void> {
    const stored: StoredAnswer = { response, storedAt: this.clock.now() };
    try {
      await this.store.set(key, JSON.stringify(stored), Math.max(this.staleTtlMs, freshTtlMs));
    } catch {
      // A cache that cannot store loses stale-if-error for this key, nothing more.
    }
  }

  close(): Promise<void> {
    return this.store.close?.() ?? Promise.resolve();
  }
}
