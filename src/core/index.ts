// The resilience core: zero runtime dependencies, Node built-ins only.
export * from './clock.js';
export * from './fake-clock.js';
export * from './random.js';
export * from './events.js';
export * from './errors.js';
export * from './policy.js';
export * from './duration.js';
