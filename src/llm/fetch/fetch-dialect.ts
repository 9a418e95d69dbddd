import { BulwarkError, RateLimitedError } from '../../core/errors.js';
import { ANTHROPIC_MESSAGES } from '../dialects/anthropic-messages/dialect.js';
import { toAnthropicErrorBody, toOpenAIErrorBody } from '../dialects/errors.js';
import { OPENAI_CHAT } from '../dialects/openai-chat/dialect.js';
import type { WireDialect } from '../dialects/wire/wire-dialect.js';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import { formatSseJson } from '../sse.js';

/** One API the fetch wrapper intercepts: its wire dialect, and how its errors are written. */
export interface FetchDialect {
  readonly name: 'openai' | 'anthropic';
  /** How requests pass to deployments and answers come back (see `dialects/wire`). */
  readonly wire: WireDialect;
  errorBody(error: unknown): unknown;
  /** The in-stream error event that ends a broken stream (never a clean end). */
  streamErrorEvent(error: unknown): string;
}

/** OpenAI Chat Completions (`POST …/chat/completions`). */
export const OPENAI_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'openai' as const,
  wire: OPENAI_CHAT,
  errorBody: (error: unknown) => toOpenAIErrorBody(error),
  streamErrorEvent: (error: unknown) => formatSseJson(toOpenAIErrorBody(error)),
});

/** Anthropic Messages (`POST …/messages`). */
export const ANTHROPIC_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'anthropic' as const,
  wire: ANTHROPIC_MESSAGES,
  errorBody: (error: unknown) => toAnthropicErrorBody(error),
  streamErrorEvent: (error: unknown) => formatSseJson(toAnthropicErrorBody(error), 'error'),
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
