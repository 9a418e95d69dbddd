/**
 * A Bedrock Converse answer → the canonical {@link ChatResponse}.
 */
import { LlmError } from '../../errors.js';
import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../types.js';
import { isObject } from '../check.js';

/** Converse `stopReason` → canonical. Guardrail and content-filter stops are policy refusals. */
export function fromConverseStopReason(reason: string): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Converse `usage` → canonical: cache reads and writes are input the caller sent (counted in
 * `inputTokens`) and are reported as such (`cachedInputTokens`, `cacheWriteInputTokens`: OpenAI
 * clients read `cached_tokens`, Anthropic clients the two cache fields).
 */
export function readConverseUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const read = num(usage.cacheReadInputTokens);
  const written = num(usage.cacheWriteInputTokens);
  const out: Usage = { inputTokens: num(usage.inputTokens) + read + written, outputTokens: num(usage.outputTokens) };
  if (read > 0) out.cachedInputTokens = read;
  if (written > 0) out.cacheWriteInputTokens = written;
  return out;
}

/** The text of a Converse `reasoningContent` block or delta (`reasoningText.text`, or `text` in a stream delta). */
export function reasoningTextOf(value: unknown): string {
  if (!isObject(value)) return '';
  if (typeof value.text === 'string') return value.text;
  return isObject(value.reasoningText) && typeof value.reasoningText.text === 'string' ? value.reasoningText.text : '';
}

/**
 * Translates a whole Converse answer. Bedrock sends no id: `requestId` (its `x-amzn-requestid`
 * header) stands in. Throws `LlmError('server_error')` for a body that is not an answer.
 */
export function fromConverseResponse(body: unknown, model: string, requestId: string, created: number): ChatResponse {
  if (!isObject(body) || !isObject(body.output) || !isObject(body.output.message)) {
    throw new LlmError('server_error', 'Bedrock answered with a body that is not a Converse answer');
  }
  const content = Array.isArray(body.output.message.content) ? body.output.message.content : [];
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (typeof block.text === 'string') text += block.text;
    reasoning += reasoningTextOf(block.reasoningContent);
    if (isObject(block.toolUse) && typeof block.toolUse.name === 'string') {
      toolCalls.push({
        id: typeof block.toolUse.toolUseId === 'string' ? block.toolUse.toolUseId : `call_${toolCalls.length}`,
        name: block.toolUse.name,
        arguments: JSON.stringify(isObject(block.toolUse.input) ? block.toolUse.input : {}),
      });
    }
  }
  const response: ChatResponse = {
    id: requestId,
    model,
    content: text,
    finishReason: fromConverseStopReason(typeof body.stopReason === 'string' ? body.stopReason : 'end_turn'),
    usage: readConverseUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 },
    created,
  };
  if (reasoning !== '') response.reasoning = reasoning;
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  return response;
}
