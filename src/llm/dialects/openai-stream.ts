/**
 * OpenAI streaming (`chat.completion.chunk` server-sent events) ⇄ canonical {@link StreamEvent}s.
 */
import { classifyStreamError } from '../classify.js';
import { LlmError } from '../errors.js';
import { formatSseJson, SSE_DONE } from '../sse.js';
import type { FinishReason, StreamEvent, Usage } from '../types.js';
import { fromOpenAIFinishReason, fromOpenAIUsage, toOpenAIUsage } from './openai-response.js';
import { isObject, type JsonObject } from './check.js';

/**
 * Stateful decoder of one OpenAI stream. Feed it each SSE `data` payload; it returns the
 * canonical events. The `finish` event is held back until `[DONE]` (or {@link end}) so the
 * usage chunk that follows `finish_reason` (`stream_options.include_usage`) is included.
 *
 * Throws `LlmError('server_error')` for a chunk that is not JSON, and the classified error for
 * an in-stream `{error}` object.
 */
export class OpenAIStreamDecoder {
  private started = false;
  private finishReason: FinishReason | undefined = undefined;
  private usage: Usage | undefined = undefined;
  private done = false;
  private readonly toolIndexes = new Set<number>();

  /** True once the `finish` event has been returned. */
  get finished(): boolean {
    return this.done;
  }

  decode(data: string): StreamEvent[] {
    if (this.done) return [];
    if (data === '[DONE]') return this.finish();
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new LlmError('server_error', 'Malformed OpenAI stream: a chunk is not valid JSON');
    }
    if (!isObject(chunk)) throw new LlmError('server_error', 'Malformed OpenAI stream: a chunk is not an object');
    if (chunk.error !== undefined) throw classifyStreamError(chunk, { source: 'OpenAI' });
    const out: StreamEvent[] = [];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    // Azure opens with a prompt-filter chunk (no choices, empty id and model): not the answer's start.
    if (!this.started && choices.length === 0 && !isObject(chunk.usage)) return out;
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', id: typeof chunk.id === 'string' ? chunk.id : '', model: typeof chunk.model === 'string' ? chunk.model : '' });
    }
    if (isObject(chunk.usage)) this.usage = fromOpenAIUsage(chunk.usage);
    const choice = choices[0];
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : undefined;
    if (delta) {
      const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') out.push({ type: 'reasoning', text: reasoning });
      if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text', text: delta.content });
      else if (typeof delta.refusal === 'string' && delta.refusal !== '') out.push({ type: 'text', text: delta.refusal });
      if (Array.isArray(delta.tool_calls)) this.decodeToolCalls(delta.tool_calls, out);
    }
    if (typeof choice.finish_reason === 'string') this.finishReason = fromOpenAIFinishReason(choice.finish_reason);
    return out;
  }

  private decodeToolCalls(calls: unknown[], out: StreamEvent[]): void {
    for (const raw of calls) {
      if (!isObject(raw)) continue;
      const index = typeof raw.index === 'number' ? raw.index : 0;
      const fn = isObject(raw.function) ? raw.function : {};
      if (!this.toolIndexes.has(index)) {
        this.toolIndexes.add(index);
        out.push({
          type: 'tool_call_start',
          index,
          id: typeof raw.id === 'string' ? raw.id : `call_${index}`,
          name: typeof fn.name === 'string' ? fn.name : '',
        });
      }
      if (typeof fn.arguments === 'string' && fn.arguments !== '') {
        out.push({ type: 'tool_call_delta', index, argumentsDelta: fn.arguments });
      }
    }
  }

  /**
   * The body ended. Returns the held-back `finish` if a `finish_reason` was seen (a server that
   * omits `[DONE]`); throws `LlmError('connection')` if the answer never finished.
   */
  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.finishReason !== undefined) return this.finish();
    throw new LlmError('connection', 'OpenAI stream ended before the answer finished');
  }

  private finish(): StreamEvent[] {
    if (this.finishReason === undefined) {
      throw new LlmError('server_error', 'Malformed OpenAI stream: [DONE] arrived before any finish_reason');
    }
    this.done = true;
    const event: StreamEvent = { type: 'finish', finishReason: this.finishReason };
    if (this.usage) event.usage = this.usage;
    return [event];
  }
}

/** Options for {@link OpenAIStreamEncoder}. */
export interface OpenAIStreamEncoderOptions {
  /** Completion id; default: the `start` event's id. */
  id?: string;
  /** Model name shown to the client; default: the `start` event's model. */
  model?: string;
  /** Unix seconds for `created`. */
  created: number;
  /** Send a final usage chunk (the client asked with `stream_options.include_usage`). Default false. */
  includeUsage?: boolean;
  /** Continue a stream the client already has (its role chunk was sent): no role chunk first. Default false. */
  resume?: boolean;
}

/**
 * Encodes canonical events as OpenAI `chat.completion.chunk` SSE text, exactly as the official
 * SDK expects: a role chunk first, content/tool-call deltas, a chunk with `finish_reason`, an
 * optional usage chunk with empty `choices`, then `data: [DONE]`.
 *
 * @example const enc = new OpenAIStreamEncoder({ created: 1700000000 }); res.write(enc.encode(event));
 */
export class OpenAIStreamEncoder {
  private id: string;
  private model: string;
  private readonly created: number;
  private readonly includeUsage: boolean;
  private started = false;
  private ended = false;

  constructor(options: OpenAIStreamEncoderOptions) {
    this.id = options.id ?? '';
    this.model = options.model ?? '';
    this.created = options.created;
    this.includeUsage = options.includeUsage ?? false;
    this.started = options.resume ?? false;
  }

  private prefix = '';

  /** The chunk envelope is serialised once; only the delta is stringified per event. */
  private chunk(delta: JsonObject, finishReason: string | null = null): string {
    if (this.prefix === '') {
      this.prefix = `data: {"id":${JSON.stringify(this.id)},"object":"chat.completion.chunk","created":${this.created},` +
        `"model":${JSON.stringify(this.model)},"choices":[{"index":0,"delta":`;
    }
    return `${this.prefix}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}]}\n\n`;
  }

  /** SSE text for one event ('' when the event adds nothing on the wire, and for anything after `finish`). */
  encode(event: StreamEvent): string {
    if (this.ended) return '';
    let prefix = '';
    if (!this.started) {
      this.started = true;
      if (event.type === 'start') {
        if (this.id === '') this.id = event.id;
        if (this.model === '') this.model = event.model;
      }
      prefix = this.chunk({ role: 'assistant', content: '' });
      if (event.type === 'start') return prefix;
    }
    switch (event.type) {
      case 'start':
        return prefix;
      case 'text':
        return prefix + this.closeArguments() + this.chunk({ content: event.text });
      case 'reasoning':
        return prefix + this.chunk({ reasoning_content: event.text });
      case 'tool_call_start': {
        const out = prefix + this.closeArguments();
        this.argumentless = event.index;
        return out + this.chunk({
          tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }],
        });
      }
      case 'tool_call_delta':
        if (this.argumentless === event.index) this.argumentless = undefined;
        return prefix + this.chunk({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
      case 'finish': {
        this.ended = true;
        let out = prefix + this.closeArguments() + this.chunk({}, event.finishReason);
        if (this.includeUsage) {
          const usage = event.usage ?? { inputTokens: 0, outputTokens: 0 };
          out += formatSseJson({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: toOpenAIUsage(usage) });
        }
        return out + SSE_DONE;
      }
    }
  }

  /** The tool call whose arguments have not started yet (a call with none gets `{}`, never `""`, which JSON.parse refuses). */
  private argumentless: number | undefined = undefined;

  private closeArguments(): string {
    const index = this.argumentless;
    if (index === undefined) return '';
    this.argumentless = undefined;
    return this.chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] });
  }

  /** An in-stream error (after headers were sent), as OpenAI reports it: `data: {"error":{...}}`. */
  encodeError(body: { error: JsonObject }): string {
    return formatSseJson(body);
  }
}
