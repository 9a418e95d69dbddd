/**
 * Bedrock ConverseStream event-stream messages → canonical {@link StreamEvent}s. The answer is
 * `messageStart`, content blocks (`contentBlockStart` / `contentBlockDelta` / `contentBlockStop`),
 * `messageStop` with the stop reason, then `metadata` with usage. It is complete once
 * `messageStop` arrived; the `finish` event waits for `metadata` (usage) or the end of the body.
 * An `exception` frame (throttling, model stream error…) throws the classified `LlmError`.
 */
import type { ClassifyOptions } from '../../classify.js';
import { LlmError } from '../../errors.js';
import type { FinishReason, StreamEvent, Usage } from '../../types.js';
import { isObject, type JsonObject } from '../check.js';
import { classifyBedrockStreamException } from './bedrock-errors.js';
import { fromConverseStopReason, readConverseUsage, reasoningTextOf } from './converse-response.js';
import type { EventStreamMessage } from './event-stream.js';

/** Stateful decoder of one ConverseStream answer. */
export class ConverseStreamDecoder {
  private readonly toolOrdinalByBlock = new Map<number, number>();
  private started = false;
  private stopReason: FinishReason | undefined;
  private usage: Usage | undefined;
  private done = false;

  constructor(private readonly model: string, private readonly requestId: string, private readonly classify: ClassifyOptions = {}) {}

  push(message: EventStreamMessage): StreamEvent[] {
    if (this.done) return [];
    if (message.messageType === 'exception') throw classifyBedrockStreamException(message.type, message.payload, this.classify);
    if (message.messageType === 'error') {
      throw classifyBedrockStreamException(message.type || 'InternalServerException', JSON.stringify({ message: message.errorMessage ?? '' }), this.classify);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(message.payload);
    } catch {
      throw new LlmError('server_error', `Malformed Bedrock stream: '${message.type}' payload is not valid JSON`);
    }
    if (!isObject(payload)) throw new LlmError('server_error', 'Malformed Bedrock stream: event payload is not an object');
    const events: StreamEvent[] = [];
    if (!this.started && message.type !== 'metadata') {
      this.started = true;
      events.push({ type: 'start', id: this.requestId, model: this.model });
    }
    switch (message.type) {
      case 'contentBlockStart':
        this.blockStart(payload, events);
        break;
      case 'contentBlockDelta':
        this.blockDelta(payload, events);
        break;
      case 'messageStop':
        this.stopReason = fromConverseStopReason(typeof payload.stopReason === 'string' ? payload.stopReason : 'end_turn');
        break;
      case 'metadata':
        this.usage = readConverseUsage(payload.usage);
        if (this.stopReason !== undefined) events.push(this.finish());
        break;
      default:
        // messageStart, contentBlockStop and event types added later carry nothing to pass on.
        break;
    }
    return events;
  }

  /** The end of the body: `finish` when `messageStop` was seen, else a `connection` error. */
  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.stopReason === undefined) throw new LlmError('connection', 'Bedrock stream ended before the answer finished');
    return [this.finish()];
  }

  private finish(): StreamEvent {
    this.done = true;
    const event: StreamEvent = { type: 'finish', finishReason: this.stopReason ?? 'stop' };
    if (this.usage !== undefined) event.usage = this.usage;
    return event;
  }

  private blockStart(payload: JsonObject, events: StreamEvent[]): void {
    const start = isObject(payload.start) ? payload.start : {};
    if (!isObject(start.toolUse)) return;
    const block = typeof payload.contentBlockIndex === 'number' ? payload.contentBlockIndex : this.toolOrdinalByBlock.size;
    const index = this.toolOrdinalByBlock.size;
    this.toolOrdinalByBlock.set(block, index);
    const id = typeof start.toolUse.toolUseId === 'string' ? start.toolUse.toolUseId : `call_${index}`;
    const name = typeof start.toolUse.name === 'string' ? start.toolUse.name : '';
    events.push({ type: 'tool_call_start', index, id, name });
  }

  private blockDelta(payload: JsonObject, events: StreamEvent[]): void {
    const delta = isObject(payload.delta) ? payload.delta : {};
    if (typeof delta.text === 'string') {
      if (delta.text !== '') events.push({ type: 'text', text: delta.text });
      return;
    }
    if (isObject(delta.reasoningContent)) {
      // Reasoning text arrives as deltas; its signature (and redacted reasoning) has no canonical form.
      const text = reasoningTextOf(delta.reasoningContent);
      if (text !== '') events.push({ type: 'reasoning', text });
      return;
    }
    if (isObject(delta.toolUse) && typeof delta.toolUse.input === 'string') {
      const block = typeof payload.contentBlockIndex === 'number' ? payload.contentBlockIndex : -1;
      const index = this.toolOrdinalByBlock.get(block);
      if (index === undefined) throw new LlmError('server_error', `Malformed Bedrock stream: tool input for block ${block}, which never started`);
      events.push({ type: 'tool_call_delta', index, argumentsDelta: delta.toolUse.input });
    }
  }
}
