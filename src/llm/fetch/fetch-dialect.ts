import { BulwarkError, RateLimitedError } from '../../core/errors.js';
import { AnthropicStreamEncoder, parseAnthropicRequest, toAnthropicErrorBody, toAnthropicResponse } from '../dialects/anthropic.js';
import { OpenAIStreamEncoder, parseOpenAIRequest, toOpenAIErrorBody, toOpenAIResponse } from '../dialects/openai.js';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';

/** Encodes one streamed answer as SSE text in a dialect. */
export interface SseEncoder {
  encode(event: StreamEvent): string;
  /** The in-stream error event that ends a broken stream (never a clean end). */
  encodeError(error: unknown): string;
}

/** One API the fetch wrapper intercepts: how to read its requests and write answers and errors. */
export interface FetchDialect {
  readonly name: 'openai' | 'anthropic';
  parse(body: unknown): { request: ChatRequest; stream: boolean; includeUsage: boolean };
  responseBody(response: ChatResponse): unknown;
  errorBody(error: unknown): unknown;
  encoder(created: number, includeUsage: boolean): SseEncoder;
}

/** OpenAI Chat Completions (`POST …/chat/completions`). */
export const OPENAI_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'openai' as const,
  parse: (body: unknown) => parseOpenAIRequest(body),
  responseBody: (response: ChatResponse) => toOpenAIResponse(response),
  errorBody: (error: unknown) => toOpenAIErrorBody(error),
  encoder(created: number, includeUsage: boolean): SseEncoder {
    const inner = new OpenAIStreamEncoder({ created, includeUsage });
    return { encode: (event) => inner.encode(event), encodeError: (error) => inner.encodeError(toOpenAIErrorBody(error)) };
  },
});

/** Anthropic Messages (`POST …/messages`). */
export const ANTHROPIC_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'anthropic' as const,
  parse: (body: unknown) => ({ ...parseAnthropicRequest(body), includeUsage: false }),
  responseBody: (response: ChatResponse) => toAnthropicResponse(response),
  errorBody: (error: unknown) => toAnthropicErrorBody(error),
  encoder(): SseEncoder {
    const inner = new AnthropicStreamEncoder();
    return { encode: (event) => inner.encode(event), encodeError: (error) => inner.encodeError(toAnthropicErrorBody(error)) };
  },
});

/** The dialect whose endpoint `pathname` is, or undefined. */
export function dialectForPath(pathname: string): FetchDialect | undefined {
  const path = pathname.replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) return OPENAI_FETCH_DIALECT;
  if (path.endsWith('/messages')) return ANTHROPIC_FETCH_DIALECT;
  return undefined;
}

/** The HTTP status a caller sees for `error` (Bulwark errors carry theirs; anything else is 500). */
export function statusOf(error: unknown): number {
  return error instanceof BulwarkError ? error.status : 500;
}

/** Seconds for a `Retry-After` header, when the error says how long to wait. */
export function retryAfterSeconds(error: unknown): number | undefined {
  let ms: number | undefined;
  if (error instanceof RateLimitedError || error instanceof LlmError) ms = error.retryAfterMs;
  else if (error instanceof AllFallbacksFailedError && error.lastError instanceof LlmError) ms = error.lastError.retryAfterMs;
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}
