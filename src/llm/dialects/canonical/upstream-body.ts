import type { ApiFamily, UpstreamCall } from '../../exchange.js';
import type { ChatRequest } from '../../types.js';
import { toAnthropicRequest } from '../anthropic-request.js';
import { toOpenAIRequest } from '../openai-request.js';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini…, gpt-5…) refuse `max_tokens` and want
 * `max_completion_tokens`; every other OpenAI-compatible model reads `max_tokens`.
 */
export const REASONING_MODEL = /^(o\d|gpt-5)/;

/** The endpoint of a chat call in each API family. */
export const CHAT_ENDPOINT: Readonly<Record<ApiFamily, string>> = Object.freeze({ openai: 'chat/completions', anthropic: 'messages' });

/**
 * The upstream call asking `family` to answer a canonical request (`request.model` is the upstream
 * model): the OpenAI Chat Completions or Anthropic Messages body, serialized once.
 */
export function canonicalCall(request: ChatRequest, family: ApiFamily, stream: boolean): UpstreamCall {
  const body = family === 'openai'
    ? toOpenAIRequest(request, { stream, maxTokensField: REASONING_MODEL.test(request.model) ? 'max_completion_tokens' : 'max_tokens' })
    : toAnthropicRequest(request, { stream });
  return { endpoint: CHAT_ENDPOINT[family], model: request.model, body: [Buffer.from(JSON.stringify(body))], stream };
}
