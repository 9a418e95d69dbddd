// Shared state: memory (default) and Redis — breaker states, probe permits, global limits, response cache.
export * from './defaults.js';
export * from './state-status.js';
export * from './redis-link.js';
export * from './replica-registry.js';
export * from './shared-state.js';
export * from './cluster-health.js';
export * from './breaker/redis-breaker-store.js';
export * from './breaker/local-probe-gate.js';
export * from './breaker/redis-probe-gate.js';
export * from './rate-limit/sliding-window-limiter.js';
export * from './rate-limit/memory-sliding-window.js';
export * from './rate-limit/redis-sliding-window.js';
export * from './cache/cache-store.js';
export * from './cache/memory-cache-store.js';
export * from './cache/redis-cache-store.js';
export * from './replica-board.js';
