import type { ApiFamily, UpstreamCall } from '../../exchange.js';
import type { ChatRequest } from '../../types.js';
import { toAnthropicRequest } from '../anthropic-request.js';
import { toConverseRequest } from '../bedrock/converse-request.js';
import { toGeminiRequest } from '../gemini/gemini-request.js';
import { toOpenAIRequest } from '../openai-request.js';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini…, gpt-5…) refuse `max_tokens` and want
 * `max_completion_tokens`; every other OpenAI-compatible model reads `max_tokens`.
 */
export const REASONING_MODEL = /^(o\d|gpt-5)/;

/**
 * The endpoint of a chat call in each API family (under the provider's API root). Gemini and
 * Bedrock name the model and streaming in the path.
 */
export function chatEndpoint(family: ApiFamily, model: string, stream: boolean): string {
  switch (family) {
    case 'openai':
      return 'chat/completions';
    case 'anthropic':
      return 'messages';
    case 'gemini':
      return `models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    case 'bedrock':
      return `model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;
  }
}

function bodyFor(request: ChatRequest, family: ApiFamily, stream: boolean, streamOptions: boolean): unknown {
  switch (family) {
    case 'openai':
      return toOpenAIRequest(request, { stream, streamOptions, maxTokensField: REASONING_MODEL.test(request.model) ? 'max_completion_tokens' : 'max_tokens' });
    case 'anthropic':
      return toAnthropicRequest(request, { stream });
    case 'gemini':
      return toGeminiRequest(request);
    case 'bedrock':
      return toConverseRequest(request);
  }
}

/**
 * The upstream call asking `family` to answer a canonical request (`request.model` is the upstream
 * model): the OpenAI Chat Completions, Anthropic Messages, Gemini generateContent or Bedrock
 * Converse body, serialized once. An OpenAI stream asks for its usage chunk unless
 * `acceptsStreamOptions` is false (a server that refuses `stream_options`).
 */
export function canonicalCall(request: ChatRequest, family: ApiFamily, stream: boolean, acceptsStreamOptions = true): UpstreamCall {
  const body = bodyFor(request, family, stream, acceptsStreamOptions);
  return { endpoint: chatEndpoint(family, request.model, stream), model: request.model, body: [Buffer.from(JSON.stringify(body))], stream };
}
