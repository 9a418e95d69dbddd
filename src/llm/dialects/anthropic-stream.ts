/**
 * Anthropic Messages streaming (named server-sent events) ⇄ canonical {@link StreamEvent}s.
 */
import { classifyStreamError } from '../classify.js';
import { LlmError } from '../errors.js';
import { formatSseJson } from '../sse.js';
import type { FinishReason, StreamEvent, Usage } from '../types.js';
import { fromAnthropicStopReason, fromAnthropicUsage, toAnthropicStopReason, toAnthropicUsage } from './anthropic-response.js';
import { isObject, type JsonObject } from './check.js';

/**
 * Stateful decoder of one Anthropic stream. Feed it each SSE event (name and data); it returns
 * canonical events. Content-block indexes become tool-call ordinals (0, 1, …) so they match the
 * OpenAI numbering. `ping` and thinking deltas produce nothing; an `error` event throws the
 * classified `LlmError`; data that is not JSON throws `LlmError('server_error')`.
 */
export class AnthropicStreamDecoder {
  private readonly toolOrdinalByBlock = new Map<number, number>();
  private finishReason: FinishReason = 'stop';
  private inputTokens = 0;
  private outputTokens = 0;
  private started = false;
  private done = false;

  /** True once `message_stop` has been decoded. */
  get finished(): boolean {
    return this.done;
  }

  decode(eventName: string | undefined, data: string): StreamEvent[] {
    if (this.done) return [];
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      throw new LlmError('server_error', `Malformed Anthropic stream: '${eventName ?? 'message'}' data is not valid JSON`);
    }
    if (!isObject(payload)) throw new LlmError('server_error', 'Malformed Anthropic stream: event data is not an object');
    const type = eventName ?? payload.type;
    switch (type) {
      case 'message_start': {
        const message = isObject(payload.message) ? payload.message : {};
        this.started = true;
        this.readUsage(message.usage);
        return [{ type: 'start', id: typeof message.id === 'string' ? message.id : '', model: typeof message.model === 'string' ? message.model : '' }];
      }
      case 'content_block_start':
        return this.blockStart(payload);
      case 'content_block_delta':
        return this.blockDelta(payload);
      case 'message_delta': {
        const delta = isObject(payload.delta) ? payload.delta : {};
        if (typeof delta.stop_reason === 'string') this.finishReason = fromAnthropicStopReason(delta.stop_reason);
        this.readUsage(payload.usage);
        return [];
      }
      case 'message_stop':
        if (!this.started) throw new LlmError('server_error', 'Malformed Anthropic stream: message_stop before message_start');
        this.done = true;
        return [{ type: 'finish', finishReason: this.finishReason, usage: this.usage() }];
      case 'error':
        throw classifyStreamError(payload, { source: 'Anthropic' });
      default:
        // ping, content_block_stop and event types added later carry nothing we need.
        return [];
    }
  }

  private readUsage(usage: unknown): void {
    if (!isObject(usage)) return;
    // Counters are cumulative totals; a field that is present replaces the previous value.
    if (typeof usage.input_tokens === 'number') {
      const read = fromAnthropicUsage(usage);
      this.inputTokens = read.inputTokens;
      if (read.cachedInputTokens !== undefined) this.cachedInputTokens = read.cachedInputTokens;
      if (read.cacheWriteInputTokens !== undefined) this.cacheWriteInputTokens = read.cacheWriteInputTokens;
    }
    if (typeof usage.output_tokens === 'number') this.outputTokens = usage.output_tokens;
  }

  private cachedInputTokens: number | undefined = undefined;
  private cacheWriteInputTokens: number | undefined = undefined;

  private usage(): Usage {
    const usage: Usage = { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
    if (this.cachedInputTokens !== undefined) usage.cachedInputTokens = this.cachedInputTokens;
    if (this.cacheWriteInputTokens !== undefined) usage.cacheWriteInputTokens = this.cacheWriteInputTokens;
    return usage;
  }

  private blockStart(payload: JsonObject): StreamEvent[] {
    const block = isObject(payload.content_block) ? payload.content_block : {};
    const blockIndex = typeof payload.index === 'number' ? payload.index : 0;
    if (block.type === 'text') return typeof block.text === 'string' && block.text !== '' ? [{ type: 'text', text: block.text }] : [];
    if (block.type !== 'tool_use') return [];
    const index = this.toolOrdinalByBlock.size;
    this.toolOrdinalByBlock.set(blockIndex, index);
    const out: StreamEvent[] = [{ type: 'tool_call_start', index, id: typeof block.id === 'string' ? block.id : '', name: typeof block.name === 'string' ? block.name : '' }];
    // Input is normally streamed as input_json_delta; a non-empty initial input is sent whole.
    if (isObject(block.input) && Object.keys(block.input).length > 0) {
      out.push({ type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(block.input) });
    }
    return out;
  }

  private blockDelta(payload: JsonObject): StreamEvent[] {
    const delta = isObject(payload.delta) ? payload.delta : {};
    if (delta.type === 'text_delta') return typeof delta.text === 'string' && delta.text !== '' ? [{ type: 'text', text: delta.text }] : [];
    if (delta.type === 'thinking_delta') return typeof delta.thinking === 'string' && delta.thinking !== '' ? [{ type: 'reasoning', text: delta.thinking }] : [];
    if (delta.type === 'input_json_delta') {
      const index = this.toolOrdinalByBlock.get(typeof payload.index === 'number' ? payload.index : -1);
      if (index === undefined) throw new LlmError('server_error', 'Malformed Anthropic stream: input_json_delta for a block that is not a tool_use');
      return typeof delta.partial_json === 'string' && delta.partial_json !== '' ? [{ type: 'tool_call_delta', index, argumentsDelta: delta.partial_json }] : [];
    }
    return [];
  }

  /** The body ended: throws `LlmError('connection')` unless `message_stop` arrived. */
  end(): StreamEvent[] {
    if (this.done) return [];
    throw new LlmError('connection', 'Anthropic stream ended before message_stop');
  }
}

/** Options for {@link AnthropicStreamEncoder}. */
export interface AnthropicStreamEncoderOptions {
  /** Message id; default: the `start` event's id. */
  id?: string;
  /** Model shown to the client; default: the `start` event's model. */
  model?: string;
  /**
   * Continue a stream the client already has (its `message_start` was sent): the next block
   * index, and the index of a text block still open (its text continues there). Default none.
   */
  resume?: { nextBlock: number; openTextBlock: number | undefined };
}

/**
 * Encodes canonical events as Anthropic SSE (`message_start`, `content_block_start/delta/stop`,
 * `message_delta`, `message_stop`) as `@anthropic-ai/sdk` parses them. Text and each tool call
 * get their own content block; a block is closed when the next one opens or the message ends.
 */
export class AnthropicStreamEncoder {
  private id: string;
  private model: string;
  private started = false;
  private ended = false;
  private nextBlock = 0;
  private openBlock = -1;
  private openIsText = false;
  private readonly blockByTool = new Map<number, number>();

  constructor(options: AnthropicStreamEncoderOptions = {}) {
    this.id = options.id ?? '';
    this.model = options.model ?? '';
    if (options.resume !== undefined) {
      this.started = true;
      this.nextBlock = options.resume.nextBlock;
      if (options.resume.openTextBlock !== undefined) {
        this.openBlock = options.resume.openTextBlock;
        this.openIsText = true;
      }
    }
  }

  private begin(): string {
    this.started = true;
    return formatSseJson({
      type: 'message_start',
      message: {
        id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    }, 'message_start');
  }

  private closeBlock(): string {
    if (this.openBlock < 0) return '';
    const out = formatSseJson({ type: 'content_block_stop', index: this.openBlock }, 'content_block_stop');
    this.openBlock = -1;
    return out;
  }

  private openIsThinking = false;

  private openNew(contentBlock: JsonObject, isText: boolean): string {
    const out = this.closeBlock();
    this.openBlock = this.nextBlock++;
    this.openIsText = isText;
    this.openIsThinking = false;
    return out + formatSseJson({ type: 'content_block_start', index: this.openBlock, content_block: contentBlock }, 'content_block_start');
  }

  /** SSE text for one event ('' when the event adds nothing on the wire, and for anything after `finish`). */
  encode(event: StreamEvent): string {
    if (this.ended) return '';
    let out = '';
    if (!this.started) {
      if (event.type === 'start') {
        if (this.id === '') this.id = event.id;
        if (this.model === '') this.model = event.model;
      }
      out = this.begin();
    }
    switch (event.type) {
      case 'start':
        return out;
      case 'reasoning':
        // Reasoning from another API has no Anthropic signature: shown as thinking, signed with ''.
        if (this.openBlock < 0 || !this.openIsThinking) {
          out += this.openNew({ type: 'thinking', thinking: '', signature: '' }, false);
          this.openIsThinking = true;
        }
        return out + formatSseJson({ type: 'content_block_delta', index: this.openBlock, delta: { type: 'thinking_delta', thinking: event.text } }, 'content_block_delta');
      case 'text':
        if (this.openBlock < 0 || !this.openIsText) out += this.openNew({ type: 'text', text: '' }, true);
        // The hottest event: only the text is serialised per call.
        return `${out}event: content_block_delta\ndata: {"type":"content_block_delta","index":${this.openBlock},"delta":{"type":"text_delta","text":${JSON.stringify(event.text)}}}\n\n`;
      case 'tool_call_start':
        out += this.openNew({ type: 'tool_use', id: event.id, name: event.name, input: {} }, false);
        this.blockByTool.set(event.index, this.openBlock);
        return out;
      case 'tool_call_delta': {
        const block = this.blockByTool.get(event.index);
        if (block === undefined) return out;
        return out + formatSseJson({ type: 'content_block_delta', index: block, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } }, 'content_block_delta');
      }
      case 'finish': {
        this.ended = true;
        out += this.closeBlock();
        const usage = event.usage ?? { inputTokens: 0, outputTokens: 0 };
        out += formatSseJson({
          type: 'message_delta',
          delta: { stop_reason: toAnthropicStopReason(event.finishReason), stop_sequence: null },
          usage: toAnthropicUsage(usage),
        }, 'message_delta');
        return out + formatSseJson({ type: 'message_stop' }, 'message_stop');
      }
    }
  }

  /** An in-stream error (after headers were sent): `event: error`. */
  encodeError(body: { type: 'error'; error: { type: string; message: string } }): string {
    return formatSseJson(body, 'error');
  }

  /** A keep-alive `ping` event. */
  encodePing(): string {
    return formatSseJson({ type: 'ping' }, 'ping');
  }
}
