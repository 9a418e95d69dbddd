/**
 * Anthropic Messages response bodies ⇄ the canonical {@link ChatResponse}.
 */
import { LlmError } from '../errors.js';
import type { ChatResponse, FinishReason, ToolCall, Usage } from '../types.js';
import { isObject, parseArguments, type JsonObject } from './check.js';

/**
 * Maps an Anthropic `stop_reason`: end_turn/stop_sequence/pause_turn → stop, max_tokens and
 * model_context_window_exceeded → length, tool_use → tool_calls, refusal → content_filter.
 */
export function fromAnthropicStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Maps a canonical finish reason to Anthropic's `stop_reason`. */
export function toAnthropicStopReason(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * Anthropic usage → canonical: cached input tokens count as input (as OpenAI's prompt_tokens
 * do), and are kept apart too (read and written).
 */
export function fromAnthropicUsage(usage: unknown): Usage {
  if (!isObject(usage)) return { inputTokens: 0, outputTokens: 0 };
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const out: Usage = {
    inputTokens: n(usage.input_tokens) + n(usage.cache_creation_input_tokens) + n(usage.cache_read_input_tokens),
    outputTokens: n(usage.output_tokens),
  };
  if (typeof usage.cache_read_input_tokens === 'number') out.cachedInputTokens = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') out.cacheWriteInputTokens = usage.cache_creation_input_tokens;
  return out;
}

/** Canonical usage → Anthropic's, where `input_tokens` is only what was neither read from nor written to the cache. */
export function toAnthropicUsage(usage: Usage): JsonObject {
  const read = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteInputTokens ?? 0;
  const out: JsonObject = { input_tokens: Math.max(0, usage.inputTokens - read - written), output_tokens: usage.outputTokens };
  if (usage.cachedInputTokens !== undefined || usage.cacheWriteInputTokens !== undefined) {
    out.cache_creation_input_tokens = written;
    out.cache_read_input_tokens = read;
  }
  return out;
}

/**
 * Translates an upstream Anthropic response body. A body that is not a message throws
 * `LlmError('server_error')`.
 *
 * @param created Unix seconds to stamp (Anthropic responses carry no timestamp).
 */
export function fromAnthropicResponse(body: unknown, created: number): ChatResponse {
  if (!isObject(body) || !Array.isArray(body.content)) {
    throw new LlmError('server_error', "Malformed Anthropic response: 'content' is missing");
  }
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') content += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: typeof block.id === 'string' ? block.id : '',
        name: typeof block.name === 'string' ? block.name : '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    }
  }
  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: fromAnthropicStopReason(body.stop_reason),
    usage: fromAnthropicUsage(body.usage),
    created,
  };
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  if (reasoning !== '') response.reasoning = reasoning;
  if (body.stop_reason === 'refusal') response.refusal = content;
  return response;
}

/**
 * Translates a canonical response into an Anthropic `message` object. Throws
 * `LlmError('server_error')` if a tool call's arguments are not a JSON object (Anthropic's
 * `tool_use.input` must be one).
 */
export function toAnthropicResponse(response: ChatResponse): JsonObject {
  const content: JsonObject[] = [];
  // Reasoning from another API carries no Anthropic signature: it is shown, and cannot be sent back to Anthropic.
  if (response.reasoning !== undefined) content.push({ type: 'thinking', thinking: response.reasoning, signature: '' });
  const text = response.content !== '' ? response.content : (response.refusal ?? '');
  if (text !== '' || !response.toolCalls?.length) content.push({ type: 'text', text });
  response.toolCalls?.forEach((c, i) => {
    let input: JsonObject;
    try {
      input = parseArguments(c.arguments, `toolCalls[${i}].arguments`);
    } catch {
      throw new LlmError('server_error', `The model's tool call '${c.name}' has arguments that are not a JSON object`);
    }
    content.push({ type: 'tool_use', id: c.id, name: c.name, input });
  });
  return {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: response.refusal !== undefined ? 'refusal' : toAnthropicStopReason(response.finishReason),
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}
