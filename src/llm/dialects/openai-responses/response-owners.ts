/**
 * Which deployment holds each stored Response. OpenAI keeps a response (`store: true`, the
 * default) on the account that made it: a follow-up with `previous_response_id`, and
 * `GET`/`DELETE /v1/responses/{id}`, only work there. The gateway notes the deployment of every
 * Response it relays and sends such requests back to it — never to a fallback, which would
 * answer 400/404 or, worse, a different conversation.
 *
 * Kept in a {@link CacheStore}: the router's memory LRU by default, the shared Redis store when
 * the gateway scales out (so every replica knows every response).
 */
import { MemoryCacheStore } from '../../../state/cache/memory-cache-store.js';
import type { CacheStore } from '../../../state/cache/cache-store.js';

/** How long the owner of a response is remembered: OpenAI keeps stored responses 30 days. */
export const RESPONSE_OWNER_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Owners kept by the default in-memory store before the least recent are forgotten. */
export const DEFAULT_RESPONSE_OWNERS_MAX_ENTRIES = 100_000;

const KEY_PREFIX = 'bulwark:responses:owner:';

/** Where a stored response lives, and the route it was made on. */
export interface ResponseOwner {
  readonly deployment: string;
  readonly route: string;
}

/** The response-id → deployment map (see the module comment). */
export class ResponseOwners {
  constructor(
    private readonly store: CacheStore = new MemoryCacheStore({ maxEntries: DEFAULT_RESPONSE_OWNERS_MAX_ENTRIES }),
    private readonly ttlMs = RESPONSE_OWNER_TTL_MS,
  ) {}

  /** Notes the owner of `id`. Never fails the answer: a store error only loses the note. */
  remember(id: string, owner: ResponseOwner): void {
    this.store.set(KEY_PREFIX + id, JSON.stringify(owner), this.ttlMs).catch(() => undefined);
  }

  /** The owner of `id`, or undefined when the gateway did not relay it (or forgot it). */
  async owner(id: string): Promise<ResponseOwner | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.store.get(KEY_PREFIX + id);
    } catch {
      return undefined;
    }
    if (raw === undefined) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<ResponseOwner>;
      return typeof parsed.deployment === 'string' && typeof parsed.route === 'string' ? { deployment: parsed.deployment, route: parsed.route } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Forgets `id` (after a successful DELETE). */
  forget(id: string): void {
    this.store.delete(KEY_PREFIX + id).catch(() => undefined);
  }
}
