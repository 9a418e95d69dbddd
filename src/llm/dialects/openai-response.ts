/**
 * OpenAI `chat.completion` response bodies ⇄ the canonical {@link ChatResponse}.
 */
import { LlmError } from '../errors.js';
import type { ChatResponse, FinishReason, ToolCall, Usage } from '../types.js';
import { isObject, type JsonObject } from './check.js';

/** Maps an OpenAI `finish_reason` to the canonical one (`function_call` is the legacy `tool_calls`). */
export function fromOpenAIFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

function malformed(what: string): never {
  throw new LlmError('server_error', `Malformed OpenAI response: ${what}`);
}

/**
 * Translates an upstream OpenAI response body. A body that is not a chat completion throws
 * `LlmError('server_error')`: the upstream answered 200 with something unusable.
 */
export function fromOpenAIResponse(body: unknown): ChatResponse {
  if (!isObject(body)) malformed('body is not an object');
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0 || !isObject(choices[0])) malformed("'choices' is missing or empty");
  const choice = choices[0] as JsonObject;
  const message = isObject(choice.message) ? choice.message : malformed("'choices[0].message' is missing");
  const content = typeof message.content === 'string' ? message.content : '';
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const raw of message.tool_calls) {
      if (!isObject(raw) || !isObject(raw.function) || typeof raw.function.name !== 'string') malformed('a tool call has no function name');
      const fn = raw.function as JsonObject;
      toolCalls.push({
        id: typeof raw.id === 'string' ? raw.id : '',
        name: fn.name as string,
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      });
    }
  }
  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: fromOpenAIFinishReason(choice.finish_reason),
    usage: fromOpenAIUsage(body.usage),
    created: typeof body.created === 'number' ? body.created : 0,
  };
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  if (typeof message.refusal === 'string' && message.refusal !== '') response.refusal = message.refusal;
  // OpenAI-compatible servers (DeepSeek, xAI, vLLM) put the model's reasoning here.
  const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') response.reasoning = reasoning;
  return response;
}

/** OpenAI usage → canonical (`prompt_tokens` already counts the cached tokens). */
export function fromOpenAIUsage(raw: unknown): Usage {
  const usage = isObject(raw) ? raw : {};
  const out: Usage = {
    inputTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
    outputTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
  };
  const details = usage.prompt_tokens_details;
  if (isObject(details) && typeof details.cached_tokens === 'number') out.cachedInputTokens = details.cached_tokens;
  return out;
}

/** Canonical usage → OpenAI's, with the cached tokens in `prompt_tokens_details`. */
export function toOpenAIUsage(usage: Usage): JsonObject {
  const out: JsonObject = { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
  if (usage.cachedInputTokens !== undefined || usage.cacheWriteInputTokens !== undefined) out.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens ?? 0 };
  return out;
}

/** Translates a canonical response into an OpenAI `chat.completion` object. */
export function toOpenAIResponse(response: ChatResponse): JsonObject {
  const message: JsonObject = { role: 'assistant', content: response.content };
  if (response.toolCalls && response.toolCalls.length > 0) {
    if (response.content === '') message.content = null;
    message.tool_calls = response.toolCalls.map((c) => ({
      id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments },
    }));
  }
  message.refusal = response.refusal ?? null;
  if (response.refusal !== undefined && response.content === '' && !response.toolCalls?.length) message.content = null;
  if (response.reasoning !== undefined) message.reasoning_content = response.reasoning;
  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: response.finishReason }],
    usage: toOpenAIUsage(response.usage),
  };
}
