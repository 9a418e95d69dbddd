// The LLM layer's public API: canonical model, errors, dialects, SSE, providers.
export * from './types.js';
export * from './errors.js';
export type * from './provider.js';
export * from './sse.js';
export * from './retry-after.js';
export * from './classify.js';
export * from './dialects/openai.js';
export * from './dialects/anthropic.js';
export * from './providers/http-provider.js';
export * from './providers/openai.js';
export * from './providers/anthropic.js';
export * from './providers/create-provider.js';
export * from './defaults.js';
export * from './router/index.js';
export * from './fetch/index.js';
export { propagateTraceContextUpstream, stopTraceContextPropagation, setTraceContentCapture, TRACER_NAME } from './tracing/index.js';
export type * from './router-config.js';
export type { AttemptEvent, RequestEvent, BreakerEvent, EjectionEvent } from './router-events.js';
