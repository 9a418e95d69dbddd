// The mock LLM provider: OpenAI- and Anthropic-compatible, with injectable faults.
export * from './server.js';
export * from './profile.js';
export * from './presets.js';
export * from './stats.js';
export * from './latency.js';
export * from './fault-plan.js';
export * from './answer.js';
export * from './dialect.js';
export { openaiWire } from './openai-wire.js';
export { anthropicWire } from './anthropic-wire.js';
export { CONTROL_PREFIX } from './control-api.js';
export { DEPLOYMENT_PREFIX, PLAN_CACHE_LIMIT } from './engine.js';
export { InProcessMock, type InProcessMockOptions } from './in-process.js';
