import type { Clock } from '../../../core/clock.js';
import type { Answer, DecoderOptions, Exchange, StreamDecoder, UpstreamCall, UpstreamReply, UpstreamTarget } from '../../exchange.js';
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from '../../types.js';
import { cacheKey } from '../../router/cache/cache-key.js';
import { isObject } from '../check.js';
import { eventsOf } from './answer-accumulator.js';
import { defaultChatResponse } from './default-response.js';
import { CanonicalStreamDecoder } from './stream-decoder.js';
import { readCanonicalAnswer } from './upstream-answer.js';
import { canonicalCall } from './upstream-body.js';

/**
 * The library's own API as an exchange: a canonical {@link ChatRequest} (`router.chat()`,
 * `router.stream()`), written for whichever API a deployment speaks and read back into a
 * {@link ChatResponse} or {@link StreamEvent}s. The canonical model carries what both APIs
 * share, so every deployment can carry it.
 */
export class CanonicalChatExchange implements Exchange<ChatResponse, StreamEvent> {
  readonly route: string;
  private readonly calls = new Map<string, UpstreamCall>();

  constructor(
    private readonly request: ChatRequest,
    readonly stream: boolean,
    private readonly clock: Clock,
  ) {
    this.route = request.model;
  }

  cacheKey(route: string, tenant: string): string {
    return cacheKey(route, this.request, tenant);
  }

  prepare(target: UpstreamTarget): UpstreamCall {
    const key = `${target.family}\u0000${target.model}\u0000${target.acceptsStreamOptions !== false}`;
    let call = this.calls.get(key);
    if (call === undefined) {
      call = canonicalCall({ ...this.request, model: target.model }, target.family, this.stream, target.acceptsStreamOptions);
      this.calls.set(key, call);
    }
    return call;
  }

  read(reply: UpstreamReply, target: UpstreamTarget): Answer<ChatResponse> {
    const response = readCanonicalAnswer(reply, target, Math.floor(this.clock.now() / 1000));
    return { value: response, usage: response.usage };
  }

  decoder(target: UpstreamTarget, options: DecoderOptions): StreamDecoder<StreamEvent, ChatResponse> {
    return CanonicalStreamDecoder.open(this.request, target, Math.floor(this.clock.now() / 1000), options);
  }

  usageOf(answer: ChatResponse): Usage | undefined {
    return answer.usage;
  }

  replay(answer: ChatResponse): StreamEvent[] {
    return [...eventsOf(answer)];
  }

  defaultAnswer(text: string, requestId: string, nowMs: number): ChatResponse {
    return defaultChatResponse(text, this.request.model, requestId, nowMs);
  }

  describe(): ChatRequest {
    return this.request;
  }

  describeAnswer(answer: ChatResponse): ChatResponse {
    return answer;
  }

  store(answer: ChatResponse): unknown {
    return answer;
  }

  restore(stored: unknown): ChatResponse | undefined {
    return isObject(stored) && typeof stored.content === 'string' && isObject(stored.usage) ? (stored as unknown as ChatResponse) : undefined;
  }
}
