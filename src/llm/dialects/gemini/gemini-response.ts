/**
 * A Gemini `GenerateContentResponse` → the canonical {@link ChatResponse}. The same reader serves
 * each chunk of a stream (`gemini-stream.ts`): a chunk is a partial response of the same shape.
 */
import { LlmError } from '../../errors.js';
import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../types.js';
import { isObject, type JsonObject } from '../check.js';

/**
 * Gemini finish reasons → canonical. Safety-like endings are a content-policy refusal;
 * `MALFORMED_FUNCTION_CALL` is the model failing, which another model may not.
 */
export function fromGeminiFinishReason(reason: string, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/** The parts of one candidate, split into answer text, thought text and tool calls. */
export interface GeminiCandidateParts {
  text: string;
  /** Thought summaries (`thought: true` parts): the model's visible reasoning. */
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: string | undefined;
}

/** Reads `candidates[0]` of a response or stream chunk. `callIndex` numbers calls without an id. */
export function readCandidate(body: JsonObject, callIndex = 0): GeminiCandidateParts {
  const candidate = Array.isArray(body.candidates) && isObject(body.candidates[0]) ? body.candidates[0] : undefined;
  const content = candidate !== undefined && isObject(candidate.content) ? candidate.content : undefined;
  const parts = content !== undefined && Array.isArray(content.parts) ? content.parts : [];
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') {
      if (part.thought === true) reasoning += part.text;
      else text += part.text;
    }
    if (isObject(part.functionCall) && typeof part.functionCall.name === 'string') {
      const call = part.functionCall;
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${callIndex + toolCalls.length}`;
      toolCalls.push({ id, name: call.name as string, arguments: JSON.stringify(isObject(call.args) ? call.args : {}) });
    }
  }
  const finishReason = candidate !== undefined && typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
  return { text, reasoning, toolCalls, finishReason };
}

/**
 * `usageMetadata` → canonical usage: thought tokens are output the caller pays for; the prompt's
 * cached part (`cachedContentTokenCount`, implicit or explicit caching) is counted in
 * `promptTokenCount` and also reported as cached input (OpenAI clients read it as
 * `cached_tokens`, Anthropic clients as `cache_read_input_tokens`).
 */
export function readGeminiUsage(body: JsonObject): Usage | undefined {
  const meta = body.usageMetadata;
  if (!isObject(meta)) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const usage: Usage = {
    inputTokens: num(meta.promptTokenCount),
    outputTokens: num(meta.candidatesTokenCount) + num(meta.thoughtsTokenCount),
  };
  const cached = num(meta.cachedContentTokenCount);
  if (cached > 0) usage.cachedInputTokens = cached;
  return usage;
}

/**
 * A prompt Gemini refused outright comes back 200 with `promptFeedback.blockReason` and no
 * candidates: that is a content-policy refusal, not an empty answer.
 */
export function blockedPrompt(body: JsonObject): LlmError | undefined {
  const feedback = body.promptFeedback;
  if (!isObject(feedback) || typeof feedback.blockReason !== 'string') return undefined;
  return new LlmError('content_filtered', `Gemini blocked the prompt: ${feedback.blockReason}`, { upstreamStatus: 200 });
}

/**
 * Translates a whole answer. `created` is the Unix time to stamp it with (Gemini sends none).
 * Throws `LlmError('content_filtered')` for a blocked prompt, `server_error` for a body that is
 * not a response.
 */
export function fromGeminiResponse(body: unknown, requestedModel: string, created: number): ChatResponse {
  if (!isObject(body)) throw new LlmError('server_error', 'Gemini answered with a body that is not an object');
  const blocked = blockedPrompt(body);
  if (blocked) throw blocked;
  if (!Array.isArray(body.candidates) || body.candidates.length === 0) {
    throw new LlmError('server_error', 'Gemini answered with no candidates');
  }
  const { text, reasoning, toolCalls, finishReason } = readCandidate(body);
  const response: ChatResponse = {
    id: typeof body.responseId === 'string' ? body.responseId : '',
    model: typeof body.modelVersion === 'string' ? body.modelVersion : requestedModel,
    content: text,
    finishReason: fromGeminiFinishReason(finishReason ?? 'STOP', toolCalls.length > 0),
    usage: readGeminiUsage(body) ?? { inputTokens: 0, outputTokens: 0 },
    created,
  };
  if (reasoning !== '') response.reasoning = reasoning;
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  return response;
}
