import type { Clock } from '../../core/clock.js';
import { CanonicalChatExchange } from '../dialects/canonical/chat-exchange.js';
import { LlmError } from '../errors.js';
import type { UpstreamTarget } from '../exchange.js';
import type { Provider, ProviderCallOptions } from '../provider.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';

/**
 * Test fixture: one canonical call through a provider's transport and the canonical codec, as
 * the router makes it (without its policies) — what the provider contract suite exercises.
 */
export function canonicalCalls(provider: Provider, clock: Clock) {
  const target = (request: ChatRequest): UpstreamTarget => ({ family: provider.dialect, model: request.model, deployment: 'd' });
  return {
    async chat(request: ChatRequest, options: ProviderCallOptions = {}): Promise<ChatResponse> {
      const exchange = new CanonicalChatExchange(request, false, clock);
      const reply = await provider.send(exchange.prepare(target(request)), options);
      return exchange.read(reply, target(request)).value;
    },
    stream(request: ChatRequest, options: ProviderCallOptions = {}): AsyncIterable<StreamEvent> {
      return {
        async *[Symbol.asyncIterator]() {
          const exchange = new CanonicalChatExchange(request, true, clock);
          const decoder = exchange.decoder(target(request), { trackText: false, keepAnswer: false });
          const body = await provider.open(exchange.prepare(target(request)), options);
          let complete = false;
          try {
            for (;;) {
              const step = await body.next();
              const events = step.done ? decoder.end() : decoder.push(step.value);
              if (decoder.finished) {
                complete = true;
                body.close(true);
              }
              yield* events;
              if (decoder.finished) return;
              if (step.done) throw new LlmError('connection', 'stream ended before the answer finished');
            }
          } finally {
            if (!complete) body.close(false);
          }
        },
      };
    },
  };
}
