// The LLM router: fallback chain, per-deployment pipelines, response cache, streaming failover.
export * from './create-router.js';
export type * from './router-control.js';
export type * from './router-deps.js';
export type { CacheStore } from '../../state/cache/cache-store.js';
export { MemoryCacheStore, type MemoryCacheStoreOptions } from '../../state/cache/memory-cache-store.js';
export { cacheKey } from './cache/cache-key.js';
export { validateRouterConfig } from './validate-config.js';
export { buildContinuation, type Continuation } from '../dialects/canonical/continuation.js';
