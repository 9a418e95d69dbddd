/** The Anthropic Messages dialect: requests, responses, streams and error bodies. */
export { parseAnthropicRequest, toAnthropicRequest, ANTHROPIC_DEFAULT_MAX_TOKENS, type ParsedAnthropicRequest } from './anthropic-request.js';
export { fromAnthropicResponse, toAnthropicResponse, fromAnthropicStopReason, toAnthropicStopReason, fromAnthropicUsage } from './anthropic-response.js';
export { AnthropicStreamDecoder, AnthropicStreamEncoder, type AnthropicStreamEncoderOptions } from './anthropic-stream.js';
export { toAnthropicErrorBody, fromAnthropicErrorBody, type AnthropicErrorBody } from './errors.js';
