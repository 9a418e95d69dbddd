// The resilience core: zero runtime dependencies, Node built-ins only.
export * from './clock.js';
export * from './fake-clock.js';
export * from './random.js';
export * from './events.js';
export * from './errors.js';
export * from './policy.js';
export * from './duration.js';
export * from './execution.js';
export * from './deadline-list.js';
export * from './pipeline.js';
export * from './timeout.js';
export * from './backoff.js';
export * from './retry-after.js';
export * from './retry-budget.js';
export * from './retry.js';
export * from './circuit-breaker/index.js';
