import { DEFAULT_MAX_ANSWER_BYTES } from '../../providers/answer-budget.js';
import type { ChatResponse, FinishReason, StreamEvent, ToolCall, Usage } from '../../types.js';

/**
 * Characters of a streamed answer kept for caching and continuation. A longer stream still
 * reaches the caller whole; it is just neither cached nor continued. Default 16 Mi characters
 * (the non-streaming answer cap, {@link DEFAULT_MAX_ANSWER_BYTES}).
 */
export const MAX_ACCUMULATED_ANSWER_CHARS = DEFAULT_MAX_ANSWER_BYTES;

/**
 * Rebuilds the complete answer from the events the caller received, so a finished stream can be
 * cached like a non-streaming answer (and a broken one can hand its text over). Keeps at most
 * {@link MAX_ACCUMULATED_ANSWER_CHARS}: an upstream that streams without end cannot grow it.
 */
export class AnswerAccumulator {
  text = '';
  /** The reasoning relayed (kept with the answer, never continued: another model cannot think on). */
  reasoning = '';
  /** True once the answer outgrew what is kept: it is not cached, nor continued elsewhere. */
  tooLarge = false;
  private keptChars = 0;
  id = '';
  model = '';
  private toolCalls: ToolCall[] = [];
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(private readonly createdSeconds: number) {}

  /** True once a tool call started: a partial tool call cannot be continued by another model. */
  get hasToolCalls(): boolean {
    return this.toolCalls.length > 0;
  }

  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  add(event: StreamEvent): void {
    if (event.type === 'text' || event.type === 'tool_call_delta') {
      this.keptChars += event.type === 'text' ? event.text.length : event.argumentsDelta.length;
      if (this.keptChars > MAX_ACCUMULATED_ANSWER_CHARS && !this.tooLarge) {
        this.tooLarge = true;
        this.text = '';
        for (const call of this.toolCalls) if (call !== undefined) call.arguments = '';
      }
      if (this.tooLarge) return;
    }
    switch (event.type) {
      case 'start':
        this.id ||= event.id;
        this.model ||= event.model;
        break;
      case 'text':
        this.text += event.text;
        break;
      case 'reasoning':
        this.reasoning += event.text;
        break;
      case 'tool_call_start':
        this.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
        break;
      case 'tool_call_delta': {
        const call = this.toolCalls[event.index];
        if (call !== undefined) call.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        this.finishReason = event.finishReason;
        this.usage = event.usage;
        break;
    }
  }

  /** The answer, once the `finish` event arrived. */
  response(): ChatResponse | undefined {
    if (this.finishReason === undefined) return undefined;
    const toolCalls = this.toolCalls.filter((c) => c !== undefined);
    return {
      id: this.id,
      model: this.model,
      content: this.text,
      ...(this.reasoning !== '' ? { reasoning: this.reasoning } : {}),
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      finishReason: this.finishReason,
      usage: this.usage ?? { inputTokens: 0, outputTokens: 0 },
      created: this.createdSeconds,
    };
  }
}

/** The events of a stored answer, replayed as a stream (cache and default answers). */
export function* eventsOf(response: ChatResponse): Generator<StreamEvent> {
  yield { type: 'start', id: response.id, model: response.model };
  if (response.reasoning !== undefined && response.reasoning.length > 0) yield { type: 'reasoning', text: response.reasoning };
  if (response.content.length > 0) yield { type: 'text', text: response.content };
  for (let index = 0; index < (response.toolCalls?.length ?? 0); index++) {
    const call = response.toolCalls![index];
    yield { type: 'tool_call_start', index, id: call.id, name: call.name };
    if (call.arguments.length > 0) yield { type: 'tool_call_delta', index, argumentsDelta: call.arguments };
  }
  yield { type: 'finish', finishReason: response.finishReason, usage: response.usage };
}
