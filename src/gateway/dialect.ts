import { BulwarkError, RateLimitedError } from '../core/errors.js';
import { AllFallbacksFailedError, LlmError } from '../llm/errors.js';
import { ANTHROPIC_MESSAGES } from '../llm/dialects/anthropic-messages/dialect.js';
import { passedThroughError, refusalHeaders, toAnthropicErrorBody, toOpenAIErrorBody } from '../llm/dialects/errors.js';
import { OPENAI_CHAT } from '../llm/dialects/openai-chat/dialect.js';
import type { WireDialect } from '../llm/dialects/wire/wire-dialect.js';
import { formatSseJson } from '../llm/sse.js';

/** One API the gateway speaks: its wire dialect (requests and answers), and how its errors are written. */
export interface GatewayDialect {
  readonly name: 'openai' | 'anthropic';
  /** How requests pass to deployments and answers come back (see `llm/dialects/wire`). */
  readonly wire: WireDialect;
  /** The error's JSON body: an upstream's refusal of the request as it came when the upstream speaks this API, else written in this API's format. */
  errorJson(error: unknown): string;
  /** Headers of an upstream's refusal handed back with it (the API's response allow-list: rate limits, its request id); none for other errors. */
  errorHeaders(error: unknown): Record<string, string> | undefined;
  /** The in-stream error event that ends a broken stream (never a clean end). */
  streamErrorEvent(error: unknown): string;
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
  else if (error instanceof AllFallbacksFailedError) ms = error.retryAfterMs ?? (error.lastError instanceof LlmError ? error.lastError.retryAfterMs : undefined);
  if (ms === undefined && statusOf(error) === 429) ms = 1000;
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
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
  wire: OPENAI_CHAT,
  errorJson: (error: unknown) => passedThroughError(error, 'openai')?.body ?? JSON.stringify(toOpenAIErrorBody(error)),
  errorHeaders: (error: unknown) => refusalHeaders(OPENAI_CHAT, error),
  streamErrorEvent: (error: unknown) => formatSseJson(toOpenAIErrorBody(error)),
});

/** The Anthropic Messages API (`POST /v1/messages`). */
export const anthropicDialect: GatewayDialect = Object.freeze({
  name: 'anthropic' as const,
  wire: ANTHROPIC_MESSAGES,
  errorJson: (error: unknown) => passedThroughError(error, 'anthropic')?.body ?? JSON.stringify(anthropicErrorBody(error)),
  errorHeaders: (error: unknown) => refusalHeaders(ANTHROPIC_MESSAGES, error),
  streamErrorEvent: (error: unknown) => formatSseJson(anthropicErrorBody(error), 'error'),
});
