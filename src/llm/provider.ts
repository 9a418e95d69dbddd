import type { ChatRequest, ChatResponse, StreamEvent } from './types.js';

/** Options for one upstream call. */
export interface ProviderCallOptions {
  /** Aborts the upstream HTTP request at once. */
  signal?: AbortSignal;
  /** Streaming: fail with `timeout` if no first event arrives within this many ms. */
  firstTokenTimeoutMs?: number;
  /** Streaming: fail with `timeout` if the gap between two events exceeds this many ms. */
  idleTimeoutMs?: number;
}

/**
 * One upstream API endpoint speaking one dialect. `request.model` is the *upstream* model name.
 * Every failure is thrown as an `LlmError` (see `errors.ts`), classified into the closed set.
 * A stream that ends without its `finish` event throws (kind `connection`), never ends quietly.
 */
export interface Provider {
  readonly dialect: 'openai' | 'anthropic';
  chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResponse>;
  stream(request: ChatRequest, options?: ProviderCallOptions): AsyncIterable<StreamEvent>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

/** How to reach a provider. `apiKey` is a secret: never logged, never in errors, metrics or headers. */
export interface ProviderConfig {
  /** `openai` also covers any OpenAI-compatible server; `azure` is Azure OpenAI (deployment URLs, `api-key` header). */
  type: 'openai' | 'azure' | 'anthropic';
  /** e.g. `https://api.openai.com/v1`, `https://api.anthropic.com`, `http://127.0.0.1:4010/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Azure: the `api-version` query parameter. */
  apiVersion?: string;
  /** Extra headers sent upstream (e.g. `anthropic-version`). */
  headers?: Record<string, string>;
  /**
   * Most connections to this provider at once (HTTP/1.1 sockets or HTTP/2 connections). Default:
   * none — the pool grows with the calls in flight; bound concurrency with the bulkhead instead.
   */
  connections?: number;
  /** Largest non-streaming answer read (bytes; a longer one fails as `server_error`). Default 16 MiB. */
  maxAnswerBytes?: number;
}
