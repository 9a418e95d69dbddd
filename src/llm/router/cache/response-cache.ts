import type { Clock } from '../../../core/clock.js';
import type { CacheStore } from '../../../state/cache/cache-store.js';

/** What is stored per key: the answer and when it was stored (freshness is judged on read). */
interface StoredAnswer {
  /** The exchange's stored form of the answer (see `Exchange.store`). */
  response: unknown;
  storedAt: number;
}

/** An answer handed to `set` and not yet serialized into the store. */
interface PendingWrite {
  stored: StoredAnswer;
  ttlMs: number;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A cache lookup: the answer and whether it is still fresh for the asking route. */
export interface CacheHit {
  /** The stored answer, for the asking exchange to `restore`. */
  response: unknown;
  fresh: boolean;
  ageMs: number;
}

/**
 * Answers kept for two uses: fresh hits for routes that opt into caching, and the last good
 * answer for stale-if-error. Entries live `staleTtlMs` in the store; each route judges freshness
 * with its own TTL, so one entry serves both uses. Store failures never fail a request: a broken
 * cache behaves as a miss.
 *
 * Writes are taken off the request's path: `set` records the answer and returns at once; the
 * answers recorded during one turn of the event loop are serialized and written in a
 * `setImmediate` batch (a later `set` of the same key in that turn replaces the earlier one).
 * Until then `get` reads the recorded answer, so a read always sees the latest write, exactly
 * as if it had been stored (a copy, as a stored answer would be).
 */
export class ResponseCache {
  private readonly pending = new Map<string, PendingWrite>();
  private flushing: Promise<void> | undefined = undefined;
  private readonly flushNow = (): void => this.flush();
  private flushDone: (() => void) | undefined = undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly clock: Clock,
    /** How long entries are kept for stale-if-error (ms). */
    private readonly staleTtlMs: number,
  ) {}

  async get(key: string, freshTtlMs: number): Promise<CacheHit | undefined> {
    const write = this.pending.get(key);
    let raw: string | undefined;
    if (write !== undefined) {
      // Past its time in the store it would be gone: a miss, as the store would say.
      if (this.clock.now() - write.stored.storedAt >= write.ttlMs) return undefined;
      raw = JSON.stringify(write.stored);
    } else {
      try {
        raw = await this.store.get(key);
      } catch {
        return undefined;
      }
    }
    if (raw === undefined) return undefined;
    let stored: StoredAnswer;
    try {
      stored = JSON.parse(raw) as StoredAnswer;
    } catch {
      return undefined;
    }
    if (!stored || typeof stored.storedAt !== 'number' || stored.response === undefined || stored.response === null) return undefined;
    const ageMs = this.clock.now() - stored.storedAt;
    return { response: stored.response, fresh: ageMs < freshTtlMs, ageMs };
  }

  /**
   * Records `response` under `key` (kept `max(staleTtlMs, freshTtlMs)`); serialized and stored
   * after the current turn of the event loop. The promise resolves once it has been stored (or
   * the store failed: a cache that cannot store loses stale-if-error for the key, nothing more).
   */
  set(key: string, response: unknown, freshTtlMs: number): Promise<void> {
    this.pending.delete(key);
    this.pending.set(key, { stored: { response, storedAt: this.clock.now() }, ttlMs: Math.max(this.staleTtlMs, freshTtlMs) });
    if (this.flushing === undefined) {
      this.flushing = new Promise<void>((resolve) => {
        this.flushDone = resolve;
      });
      setImmediate(this.flushNow);
    }
    return this.flushing ?? RESOLVED;
  }

  /** Serializes and stores the recorded answers (one batch per turn of the event loop). */
  private flush(): void {
    const done = this.flushDone;
    if (done === undefined) return; // already written (close)
    this.flushing = undefined;
    this.flushDone = undefined;
    const writes: Array<Promise<void>> = [];
    const now = this.clock.now();
    for (const [key, write] of this.pending) {
      // The entry expires `ttlMs` after `set` was called, not after this (later) write.
      const ttlMs = write.ttlMs - (now - write.stored.storedAt);
      if (ttlMs <= 0) continue;
      let stored: Promise<void>;
      try {
        stored = this.store.set(key, JSON.stringify(write.stored), ttlMs);
      } catch {
        continue;
      }
      writes.push(stored.catch(() => undefined));
    }
    this.pending.clear();
    void Promise.all(writes).then(() => done());
  }

  /** Hands what is still pending to the store (without waiting for it, as before), then closes the store. */
  close(): Promise<void> {
    this.flush();
    return this.store.close?.() ?? RESOLVED;
  }
}
