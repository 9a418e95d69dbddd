import { BulwarkError, RateLimitedError } from '../core/errors.js';
import { AllFallbacksFailedError, LlmError } from '../llm/errors.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../llm/types.js';
import { OpenAIStreamEncoder, parseOpenAIRequest, toOpenAIErrorBody, toOpenAIResponse } from '../llm/dialects/openai.js';
import { AnthropicStreamEncoder, parseAnthropicRequest, toAnthropicErrorBody, toAnthropicResponse } from '../llm/dialects/anthropic.js';

/** Encodes one streamed answer for the wire. */
export interface WireEncoder {
  encode(event: StreamEvent): string;
  /** The in-stream error event that ends a broken stream (never a clean end). */
  encodeError(error: unknown): string;
}

/** One API the gateway speaks: how to read its requests and write its answers and errors. */
export interface GatewayDialect {
  readonly name: 'openai' | 'anthropic';
  parse(body: unknown): { request: ChatRequest; stream: boolean; includeUsage: boolean };
  responseJson(response: ChatResponse): string;
  errorJson(error: unknown): string;
  encoder(created: number, includeUsage: boolean): WireEncoder;
}

/** The status a client sees for `error` (BulwarkErrors carry theirs; anything else is 500). */
export function statusOf(error: unknown): number {
  return error instanceof BulwarkError ? error.status : 500;
}

/** Seconds for a `Retry-After` header, when the error says how long to wait. */
export function retryAfterSeconds(error: unknown): number | undefined {
  let ms: number | undefined;
  if (error instanceof RateLimitedError) ms = error.retryAfterMs;
  else if (error instanceof LlmError) ms = error.retryAfterMs;
  else if (error instanceof AllFallbacksFailedError && error.lastError instanceof LlmError) ms = error.lastError.retryAfterMs;
  if (ms === undefined && statusOf(error) === 429) ms = 1000;
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}

class OpenAIWireEncoder implements WireEncoder {
  private readonly inner: OpenAIStreamEncoder;
  constructor(created: number, includeUsage: boolean) {
    this.inner = new OpenAIStreamEncoder({ created, includeUsage });
  }
  encode(event: StreamEvent): string {
    return this.inner.encode(event);
  }
  encodeError(error: unknown): string {
    return this.inner.encodeError(toOpenAIErrorBody(error));
  }
}

class AnthropicWireEncoder implements WireEncoder {
  private readonly inner = new AnthropicStreamEncoder();
  encode(event: StreamEvent): string {
    return this.inner.encode(event);
  }
  encodeError(error: unknown): string {
    return this.inner.encodeError(anthropicErrorBody(error));
  }
}

function anthropicErrorBody(error: unknown) {
  const body = toAnthropicErrorBody(error);
  // Anthropic names this one specially; the SDKs surface the type.
  if (statusOf(error) === 413) body.error.type = 'request_too_large';
  return body;
}

/** The OpenAI Chat Completions API (`POST /v1/chat/completions`). */
export const openaiDialect: GatewayDialect = Object.freeze({
  name: 'openai' as const,
  parse(body: unknown) {
    const parsed = parseOpenAIRequest(body);
    return { request: parsed.request, stream: parsed.stream, includeUsage: parsed.includeUsage };
  },
  responseJson: (response: ChatResponse) => JSON.stringify(toOpenAIResponse(response)),
  errorJson: (error: unknown) => JSON.stringify(toOpenAIErrorBody(error)),
  encoder: (created: number, includeUsage: boolean) => new OpenAIWireEncoder(created, includeUsage),
});

/** The Anthropic Messages API (`POST /v1/messages`). */
export const anthropicDialect: GatewayDialect = Object.freeze({
  name: 'anthropic' as const,
  parse(body: unknown) {
    const parsed = parseAnthropicRequest(body);
    return { request: parsed.request, stream: parsed.stream, includeUsage: true };
  },
  responseJson: (response: ChatResponse) => JSON.stringify(toAnthropicResponse(response)),
  errorJson: (error: unknown) => JSON.stringify(anthropicErrorBody(error)),
  encoder: () => new AnthropicWireEncoder(),
});
