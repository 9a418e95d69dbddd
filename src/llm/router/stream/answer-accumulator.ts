import type { ChatResponse, FinishReason, StreamEvent, ToolCall, Usage } from '../../types.js';

/**
 * Rebuilds the complete answer from the events the caller received, so a finished stream can be
 * cached like a non-streaming answer (and a broken one can hand its text over).
 */
export class AnswerAccumulator {
  text = '';
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
    switch (event.type) {
      case 'start':
        this.id ||= event.id;
        this.model ||= event.model;
        break;
      case 'text':
        this.text += event.text;
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
  if (response.content.length > 0) yield { type: 'text', text: response.content };
  for (let index = 0; index < (response.toolCalls?.length ?? 0); index++) {
    const call = response.toolCalls![index];
    yield { type: 'tool_call_start', index, id: call.id, name: call.name };
    if (call.arguments.length > 0) yield { type: 'tool_call_delta', index, argumentsDelta: call.arguments };
  }
  yield { type: 'finish', finishReason: response.finishReason, usage: response.usage };
}
