// Bulwark's library entry point.
export * from './core/index.js';
export * from './llm/index.js';
export * from './state/index.js';
