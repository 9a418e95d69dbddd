import { classifyStreamError } from '../../classify.js';
import { LlmError } from '../../errors.js';
import type { StreamContinuation, UpstreamTarget } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { isObject, type JsonObject } from '../check.js';
import { OpenAIStreamEncoder } from '../openai-stream.js';
import type { SseFrame } from '../wire/sse-frames.js';
import { SseRelay } from '../wire/sse-relay.js';
import type { WireAnswer } from '../wire/wire-answer.js';
import type { RelayContext } from '../wire/wire-dialect.js';
import { openAIUsage } from './usage.js';

const DONE = Buffer.from('[DONE]');
const USAGE = Buffer.from('"usage"');
const ERROR = Buffer.from('"error"');
const FINISH = Buffer.from('"finish_reason":"');

/**
 * Relays an OpenAI Chat Completions stream as the provider sent it, event for event, observing
 * on the way: the first token (content, refusal, reasoning, tool call or finish of any choice),
 * usage, the finish and in-stream errors. Chunks are parsed only while the first token is
 * awaited, when text is tracked for a continuation, and when their bytes mention usage, an error
 * or a finish — everything else passes as bytes. The usage chunk the gateway asked for on the
 * client's behalf is observed and not relayed.
 */
export class OpenAIChatRelay extends SseRelay {
  usage: Usage | undefined = undefined;
  private finishSeen = false;
  private id = '';
  private model = '';
  private created = 0;

  constructor(private readonly context: RelayContext) {
    super(context.options.keepAnswer, context.options.trackText);
  }

  /** The model named by the stream's first event. */
  get responseModel(): string | undefined {
    return this.model === '' ? undefined : this.model;
  }

  /** Observes one event; true when it is not to be relayed. */
  protected observe(frame: SseFrame): boolean {
    const data = frame.data;
    if (data.length === DONE.length && data.equals(DONE)) {
      if (!this.finishSeen && !this.started) throw new LlmError('server_error', 'Malformed OpenAI stream: [DONE] arrived before any finish_reason');
      this.finished = true;
      return false;
    }
    const mentionsUsage = data.includes(USAGE);
    if (this.started && !this.context.options.trackText && !mentionsUsage && !data.includes(ERROR) && !data.includes(FINISH)) return false;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data.toString('utf8'));
    } catch {
      throw new LlmError('server_error', 'Malformed OpenAI stream: a chunk is not valid JSON');
    }
    if (!isObject(chunk)) throw new LlmError('server_error', 'Malformed OpenAI stream: a chunk is not an object');
    if (chunk.error !== undefined && chunk.error !== null) throw classifyStreamError(chunk, { source: 'OpenAI' });
    if (this.id === '' && typeof chunk.id === 'string') this.id = chunk.id;
    if (this.model === '' && typeof chunk.model === 'string') this.model = chunk.model;
    if (this.created === 0 && typeof chunk.created === 'number') this.created = chunk.created;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) if (isObject(choice)) this.observeChoice(choice);
    if (mentionsUsage && isObject(chunk.usage)) {
      this.usage = openAIUsage(chunk.usage);
      // The usage chunk asked for on the client's behalf carries nothing else: not relayed.
      if (this.context.stripUsage && choices.length === 0) return true;
    }
    return false;
  }

  private observeChoice(choice: JsonObject): void {
    // Legacy completions chunks carry `text` instead of a delta.
    if (typeof choice.text === 'string' && choice.text !== '') this.started = true;
    const delta = isObject(choice.delta) ? choice.delta : undefined;
    if (delta !== undefined) {
      for (const field of ['content', 'refusal', 'reasoning_content', 'reasoning']) {
        const value = delta[field];
        if (typeof value === 'string' && value !== '') {
          this.started = true;
          if (field === 'content' && (choice.index ?? 0) === 0) this.kept.addText(value);
        }
      }
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) {
        this.started = true;
        this.hasToolCalls = true;
      }
      if (isObject(delta.audio)) this.started = true;
    }
    if (typeof choice.finish_reason === 'string') {
      this.finishSeen = true;
      this.started = true;
    }
  }

  protected endUnfinished(): Buffer[] {
    // A server that omits [DONE] after its finish: the answer is complete.
    if (this.finishSeen && !this.holdingEvent) {
      this.finished = true;
      return [];
    }
    throw new LlmError('connection', 'OpenAI stream ended before the answer finished');
  }

  continueOn(target: UpstreamTarget): StreamContinuation<Buffer, WireAnswer> | undefined {
    if (this.hasToolCalls || this.tooLarge || !this.context.options.trackText) return undefined;
    const encoder = new OpenAIStreamEncoder({ id: this.id, model: this.model, created: this.created, includeUsage: this.context.includeUsage, resume: true });
    return this.context.continueOn(target, this.text, encoder);
  }
}
