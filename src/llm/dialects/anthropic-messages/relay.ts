import { classifyStreamError } from '../../classify.js';
import { LlmError } from '../../errors.js';
import type { StreamContinuation, UpstreamTarget } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { AnthropicStreamEncoder } from '../anthropic-stream.js';
import { isObject } from '../check.js';
import type { SseFrame } from '../wire/sse-frames.js';
import { SseRelay } from '../wire/sse-relay.js';
import type { WireAnswer } from '../wire/wire-answer.js';
import type { RelayContext } from '../wire/wire-dialect.js';
import { anthropicUsage } from './usage.js';

/** Events whose data the relay reads; every other event passes as bytes. */
const READ_ALWAYS = new Set(['message_start', 'content_block_start', 'message_delta', 'error']);

/**
 * Relays an Anthropic Messages stream as the provider sent it, event for event (thinking blocks
 * and their signatures, server tools, citations, cache usage, events added later), observing on
 * the way: the first token (a content block started), usage (cache tokens included), the end
 * (`message_stop`) and in-stream errors. Text deltas are parsed only when text is tracked for
 * a continuation.
 */
export class AnthropicMessagesRelay extends SseRelay {
  private inputTokens: number | undefined = undefined;
  private outputTokens = 0;
  private messageStarted = false;
  private id = '';
  private model = '';
  private nextBlock = 0;
  private openTextBlock: number | undefined = undefined;

  constructor(private readonly context: RelayContext) {
    super(context.options.keepAnswer, context.options.trackText);
  }

  get usage(): Usage | undefined {
    return this.inputTokens === undefined ? undefined : { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
  }

  /** The model named by the stream's first event. */
  get responseModel(): string | undefined {
    return this.model === '' ? undefined : this.model;
  }

  protected observe(frame: SseFrame): boolean {
    this.read(frame);
    return false;
  }

  private read(frame: SseFrame): void {
    let name = frame.name;
    if (name === 'ping') return;
    if (name === 'message_stop') {
      if (!this.messageStarted) throw new LlmError('server_error', 'Malformed Anthropic stream: message_stop before message_start');
      this.finished = true;
      return;
    }
    if (name === 'content_block_stop') {
      this.openTextBlock = undefined;
      return;
    }
    if (name === 'content_block_delta') {
      this.started = true;
      if (!this.context.options.trackText) return;
    } else if (name !== undefined && !READ_ALWAYS.has(name)) {
      return; // an event type added later: passed on as it came
    }
    let payload: unknown;
    try {
      payload = JSON.parse(frame.data.toString('utf8'));
    } catch {
      throw new LlmError('server_error', `Malformed Anthropic stream: '${name ?? 'message'}' data is not valid JSON`);
    }
    if (!isObject(payload)) throw new LlmError('server_error', 'Malformed Anthropic stream: event data is not an object');
    name ??= typeof payload.type === 'string' ? payload.type : undefined;
    switch (name) {
      case 'message_start': {
        const message = isObject(payload.message) ? payload.message : {};
        this.messageStarted = true;
        if (typeof message.id === 'string') this.id = message.id;
        if (typeof message.model === 'string') this.model = message.model;
        this.readUsage(message.usage);
        return;
      }
      case 'content_block_start': {
        this.started = true;
        const block = isObject(payload.content_block) ? payload.content_block : {};
        const index = typeof payload.index === 'number' ? payload.index : this.nextBlock;
        this.nextBlock = Math.max(this.nextBlock, index + 1);
        this.openTextBlock = block.type === 'text' ? index : undefined;
        if (block.type === 'tool_use' || block.type === 'server_tool_use') this.hasToolCalls = true;
        if (block.type === 'text' && typeof block.text === 'string') this.kept.addText(block.text);
        return;
      }
      case 'content_block_delta': {
        const delta = isObject(payload.delta) ? payload.delta : {};
        if (delta.type === 'text_delta' && typeof delta.text === 'string') this.kept.addText(delta.text);
        return;
      }
      case 'message_delta':
        this.readUsage(payload.usage);
        return;
      case 'message_stop':
        this.finished = true;
        return;
      case 'error':
        throw classifyStreamError(payload, { source: 'Anthropic' });
      default:
        return;
    }
  }

  private readUsage(usage: unknown): void {
    const read = anthropicUsage(usage);
    if (read === undefined) return;
    // Counters are cumulative totals; a field that is present replaces the previous value.
    if (isObject(usage) && typeof usage.input_tokens === 'number') this.inputTokens = read.inputTokens;
    if (isObject(usage) && typeof usage.output_tokens === 'number') this.outputTokens = read.outputTokens;
    this.inputTokens ??= 0;
  }

  protected endUnfinished(): Buffer[] {
    throw new LlmError('connection', 'Anthropic stream ended before message_stop');
  }

  continueOn(target: UpstreamTarget): StreamContinuation<Buffer, WireAnswer> | undefined {
    if (this.hasToolCalls || this.tooLarge || !this.context.options.trackText) return undefined;
    const encoder = new AnthropicStreamEncoder({ id: this.id, model: this.model, resume: { nextBlock: this.nextBlock, openTextBlock: this.openTextBlock } });
    return this.context.continueOn(target, this.text, encoder);
  }
}
