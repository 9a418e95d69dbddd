// The LLM layer's public API: canonical model, errors, dialects, SSE, providers.
export * from './types.js';
export * from './errors.js';
export type * from './provider.js';
export * from './sse.js';
export * from './retry-after.js';
export * from './classify.js';
export * from './dialects/openai.js';
export * from './dialects/anthropic.js';
