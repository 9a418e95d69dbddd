import type { CacheStore } from './cache-store.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';

/** Options of {@link RedisCacheStore}. */
export interface RedisCacheStoreOptions {
  /**
   * The bounded local copy used while Redis is unreachable, e.g. the router's `MemoryCacheStore`
   * (required: the state layer sits below the LLM layer and takes its implementations from the caller).
   */
  local: CacheStore;
}

/**
 * The router's response cache (fresh answers and stale-if-error copies) shared by every replica:
 * an answer cached through one replica is served by all. Values live at `<prefix>cache:<key>`
 * with the TTL the router asks for (`SET … PX`), so Redis expires them.
 *
 * Every write also goes to a bounded local copy, and every read falls back to it when Redis
 * fails or is down: a replica cut off from Redis still has the answers it stored itself, which is
 * what stale-if-error needs most. Nothing here ever rejects.
 *
 * @example const router = createRouter(config, { cacheStore: new RedisCacheStore(link, { local: new MemoryCacheStore() }) });
 */
export class RedisCacheStore implements CacheStore {
  private readonly local: CacheStore;

  constructor(private readonly link: RedisLink, options: RedisCacheStoreOptions) {
    this.local = options.local;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.link.call((r) => r.get(this.link.key(`cache:${key}`)));
    if (value === UNAVAILABLE) return this.local.get(key);
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.local.set(key, value, ttlMs);
    await this.link.call((r) => r.set(this.link.key(`cache:${key}`), value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async delete(key: string): Promise<void> {
    await this.local.delete(key);
    await this.link.call((r) => r.del(this.link.key(`cache:${key}`)));
  }

  /** Drops the local copy; the link is shared and closed by its owner. */
  async close(): Promise<void> {
    await this.local.close?.();
  }
}
