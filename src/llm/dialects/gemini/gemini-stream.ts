/**
 * Gemini `streamGenerateContent?alt=sse` → canonical {@link StreamEvent}s. Each SSE `data` is a
 * partial `GenerateContentResponse`; text arrives as deltas, a function call whole in one chunk,
 * usage on the last chunks and `finishReason` on the last. The stream is complete only when a
 * finish reason was seen: Gemini sends no terminator of its own, so `end()` decides.
 */
import { LlmError } from '../../errors.js';
import type { StreamEvent, Usage } from '../../types.js';
import { isObject } from '../check.js';
import { classifyGeminiStreamError } from './gemini-errors.js';
import { blockedPrompt, fromGeminiFinishReason, readCandidate, readGeminiUsage } from './gemini-response.js';

/** Stateful decoder of one Gemini stream. */
export class GeminiStreamDecoder {
  private started = false;
  private toolCalls = 0;
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private done = false;

  constructor(private readonly requestedModel: string) {}

  /** Decodes one SSE `data` payload. */
  push(data: string): StreamEvent[] {
    if (this.done) return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new LlmError('server_error', 'Malformed Gemini stream: event data is not valid JSON');
    }
    if (!isObject(chunk)) throw new LlmError('server_error', 'Malformed Gemini stream: event data is not an object');
    if (isObject(chunk.error)) throw classifyGeminiStreamError(chunk);
    const blocked = blockedPrompt(chunk);
    if (blocked) throw blocked;

    const events: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      const model = typeof chunk.modelVersion === 'string' ? chunk.modelVersion : this.requestedModel;
      events.push({ type: 'start', id: typeof chunk.responseId === 'string' ? chunk.responseId : '', model });
    }
    const { text, reasoning, toolCalls, finishReason } = readCandidate(chunk, this.toolCalls);
    if (reasoning !== '') events.push({ type: 'reasoning', text: reasoning });
    if (text !== '') events.push({ type: 'text', text });
    for (const call of toolCalls) {
      const index = this.toolCalls++;
      events.push({ type: 'tool_call_start', index, id: call.id, name: call.name });
      events.push({ type: 'tool_call_delta', index, argumentsDelta: call.arguments });
    }
    this.usage = readGeminiUsage(chunk) ?? this.usage;
    if (finishReason !== undefined) this.finishReason = finishReason;
    return events;
  }

  /** The stream's end: the `finish` event if a finish reason arrived, else a `connection` error. */
  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.finishReason === undefined) {
      throw new LlmError('connection', 'Gemini stream ended before the answer finished');
    }
    this.done = true;
    const event: StreamEvent = { type: 'finish', finishReason: fromGeminiFinishReason(this.finishReason, this.toolCalls > 0) };
    if (this.usage !== undefined) event.usage = this.usage;
    return [event];
  }
}
