import type { DecoderOptions, StreamDecoder, UpstreamCall, UpstreamTarget } from '../../exchange.js';
import { SseParser } from '../../sse.js';
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from '../../types.js';
import { AnthropicStreamDecoder } from '../anthropic-stream.js';
import { ConverseStreamDecoder } from '../bedrock/converse-stream.js';
import { EventStreamDecoder } from '../bedrock/event-stream.js';
import { GeminiStreamDecoder } from '../gemini/gemini-stream.js';
import { OpenAIStreamDecoder } from '../openai-stream.js';
import { AnswerAccumulator } from './answer-accumulator.js';
import { buildContinuation } from './continuation.js';
import { canonicalCall } from './upstream-body.js';

/**
 * One family's raw stream bytes → canonical events, handed to `take` as they are decoded: the
 * events before a malformed one in the same chunk still reach the caller, then the error is thrown.
 */
interface ChunkDecoder {
  push(chunk: Buffer, take: (events: StreamEvent[]) => void): void;
  /** The body ended: decode what the framing still holds. */
  flush(take: (events: StreamEvent[]) => void): void;
  /** The answer did not finish in the stream: the family's verdict (a `finish`, or it throws). */
  end(take: (events: StreamEvent[]) => void): void;
}

/** SSE framing around a decoder of one event's name and data (OpenAI, Anthropic, Gemini). */
function sseDecoder(decode: (event: string | undefined, data: string) => StreamEvent[], end: () => StreamEvent[]): ChunkDecoder {
  const parser = new SseParser();
  return {
    push(chunk, take) {
      for (const sse of parser.feed(chunk)) take(decode(sse.event, sse.data));
    },
    flush(take) {
      for (const sse of parser.end()) take(decode(sse.event, sse.data));
    },
    end: (take) => take(end()),
  };
}

function chunkDecoder(target: UpstreamTarget): ChunkDecoder {
  switch (target.family) {
    case 'openai': {
      const inner = new OpenAIStreamDecoder();
      return sseDecoder((_event, data) => inner.decode(data), () => inner.end());
    }
    case 'anthropic': {
      const inner = new AnthropicStreamDecoder();
      return sseDecoder((event, data) => inner.decode(event, data), () => inner.end());
    }
    case 'gemini': {
      const inner = new GeminiStreamDecoder(target.model);
      return sseDecoder((_event, data) => inner.push(data), () => inner.end());
    }
    case 'bedrock': {
      // Binary AWS event-stream frames, not SSE. Bedrock sends no response id in the stream.
      const frames = new EventStreamDecoder();
      const inner = new ConverseStreamDecoder(target.model, '');
      return {
        push(chunk, take) {
          for (const message of frames.push(chunk)) take(inner.push(message));
        },
        flush: () => undefined,
        end: (take) => take(inner.end()),
      };
    }
  }
}

/**
 * Decodes an OpenAI or Anthropic stream into canonical {@link StreamEvent}s (the library's
 * `router.stream()`), keeping the answer for the cache and the text for a continuation. A
 * continuing decoder drops the continuation's own `start` and, when the prefill lost trailing
 * whitespace, the leading whitespace of its first text.
 */
export class CanonicalStreamDecoder implements StreamDecoder<StreamEvent, ChatResponse> {
  private readonly events: ChunkDecoder;
  started = false;
  finished = false;
  usage: Usage | undefined = undefined;

  constructor(
    private readonly request: ChatRequest,
    target: UpstreamTarget,
    private readonly accumulator: AnswerAccumulator,
    private readonly continuing: boolean,
    private dropLeadingWhitespace: boolean,
  ) {
    this.events = chunkDecoder(target);
  }

  /** A decoder for a fresh stream of `request` from `target`. */
  static open(request: ChatRequest, target: UpstreamTarget, createdSeconds: number, _options: DecoderOptions): CanonicalStreamDecoder {
    return new CanonicalStreamDecoder(request, target, new AnswerAccumulator(createdSeconds), false, false);
  }

  get text(): string {
    return this.accumulator.text;
  }

  get hasToolCalls(): boolean {
    return this.accumulator.hasToolCalls;
  }

  /** The model named by the stream's start event. */
  get responseModel(): string | undefined {
    return this.accumulator.model === '' ? undefined : this.accumulator.model;
  }

  get tooLarge(): boolean {
    return this.accumulator.tooLarge;
  }

  push(chunk: Buffer): StreamEvent[] {
    this.throwPending();
    const out: StreamEvent[] = [];
    try {
      this.events.push(chunk, (events) => this.take(events, out));
    } catch (error) {
      return this.deferred(error, out);
    }
    return out;
  }

  end(): StreamEvent[] {
    this.throwPending();
    const out: StreamEvent[] = [];
    try {
      const take = (events: StreamEvent[]) => this.take(events, out);
      this.events.flush(take);
      if (!this.finished) this.events.end(take);
    } catch (error) {
      return this.deferred(error, out);
    }
    return out;
  }

  private pending: unknown = undefined;

  /** An error after some events of a chunk: those events are still handed over, the error comes with the next read. */
  private deferred(error: unknown, out: StreamEvent[]): StreamEvent[] {
    if (out.length === 0) throw error;
    this.pending = error;
    return out;
  }

  private throwPending(): void {
    if (this.pending === undefined) return;
    const error = this.pending;
    this.pending = undefined;
    throw error;
  }

  private take(events: StreamEvent[], out: StreamEvent[]): void {
    for (const event of events) {
      if (this.finished) return;
      const relayed = this.relayable(event);
      if (relayed === undefined) continue;
      if (relayed.type !== 'start') this.started = true;
      if (relayed.type === 'finish') {
        this.finished = true;
        this.usage = relayed.usage;
      }
      this.accumulator.add(relayed);
      out.push(relayed);
    }
  }

  private relayable(event: StreamEvent): StreamEvent | undefined {
    if (!this.continuing) return event;
    if (event.type === 'start') return undefined;
    if (event.type === 'text' && this.dropLeadingWhitespace) {
      const text = event.text.replace(/^\s+/, '');
      if (text.length === 0) return undefined;
      this.dropLeadingWhitespace = false;
      return { type: 'text', text };
    }
    return event;
  }

  answer(): ChatResponse | undefined {
    // An answer stitched from two models is served once, degraded; it is not kept as if one model had given it.
    return this.continuing || this.accumulator.tooLarge ? undefined : this.accumulator.response();
  }

  continueOn(target: UpstreamTarget): { call: UpstreamCall; decoder: CanonicalStreamDecoder } | undefined {
    if (this.accumulator.hasToolCalls || this.accumulator.tooLarge) return undefined;
    return CanonicalStreamDecoder.continuation(this.request, this.accumulator, target);
  }

  /**
   * The call asking `target` to finish an answer of `request` whose text so far is in
   * `accumulator`, and the decoder of that continuation (it adds to the same accumulator).
   */
  static continuation(request: ChatRequest, accumulator: AnswerAccumulator, target: UpstreamTarget): { call: UpstreamCall; decoder: CanonicalStreamDecoder } {
    const continuation = buildContinuation(request, accumulator.text, target.family, target.model);
    return {
      call: canonicalCall(continuation.request, target.family, true, target.acceptsStreamOptions),
      decoder: new CanonicalStreamDecoder(request, target, accumulator, true, continuation.trimmed.length > 0),
    };
  }
}
