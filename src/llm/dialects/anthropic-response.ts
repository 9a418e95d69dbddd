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

/** Anthropic usage → canonical; cached input tokens count as input (as OpenAI's prompt_tokens do). */
export function fromAnthropicUsage(usage: unknown): Usage {
  if (!isObject(usage)) return { inputTokens: 0, outputTokens: 0 };
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    inputTokens: n(usage.input_tokens) + n(usage.cache_creation_input_tokens) + n(usage.cache_read_input_tokens),
    outputTokens: n(usage.output_tokens),
  };
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
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') content += block.text;
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
  return response;
}

/**
 * Translates a canonical response into an Anthropic `message` object. Throws
 * `LlmError('server_error')` if a tool call's arguments are not a JSON object (Anthropic's
 * `tool_use.input` must be one).
 */
export function toAnthropicResponse(response: ChatResponse): JsonObject {
  const content: JsonObject[] = [];
  if (response.content !== '' || !response.toolCalls?.length) content.push({ type: 'text', text: response.content });
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
    stop_reason: toAnthropicStopReason(response.finishReason),
    stop_sequence: null,
    usage: { input_tokens: response.usage.inputTokens, output_tokens: response.usage.outputTokens },
  };
}
