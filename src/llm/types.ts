import type { Exchange, HeaderMap } from './exchange.js';

/**
 * The canonical chat model. Every dialect (OpenAI Chat Completions, Anthropic Messages) is
 * translated to and from these types, so a request written for one provider can be answered by
 * another. Keep this file free of dialect details.
 */

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image given by URL (`url`) or inline base64 (`data` + `mediaType`). */
export interface ImagePart {
  type: 'image';
  url?: string;
  data?: string;
  mediaType?: string;
}

/** A PDF document given inline (base64). */
export interface DocumentPart {
  type: 'document';
  mediaType: 'application/pdf';
  data: string;
  /** File name or title shown to the model. */
  title?: string;
}

export type ContentPart = TextPart | ImagePart | DocumentPart;

/** A tool call made by the assistant. `arguments` is JSON text, exactly as the model produced it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  /** The result of a tool call, answering the assistant's call `toolCallId`. */
  | { role: 'tool'; toolCallId: string; content: string; isError?: boolean };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ChatRequest {
  /** What the caller asked for: a route or model-group name at the router; the upstream model name at an adapter. */
  model: string;
  /** System prompt (OpenAI system/developer messages are joined into it). */
  system?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** End-user id, passed to providers for abuse tracking. */
  user?: string;
  /** Random seed, where the provider supports one. */
  seed?: number;
  /**
   * Structured output. OpenAI-dialect upstreams get it as `response_format`; the Anthropic
   * Messages API has no such field, so its adapter asks for it in the system prompt instead.
   */
  responseFormat?: ResponseFormat;
  /**
   * How hard a reasoning model thinks: OpenAI `reasoning_effort`; Anthropic `thinking` with a
   * budget per effort (see `REASONING_BUDGET_TOKENS`).
   */
  reasoningEffort?: ReasoningEffort;
  /** `false`: at most one tool call per answer (OpenAI `parallel_tool_calls`, Anthropic `disable_parallel_tool_use`). */
  parallelToolCalls?: boolean;
}

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** Answer with any JSON object, or with a JSON object matching a named JSON Schema. */
export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  /** Every prompt token, cached ones included (OpenAI `prompt_tokens`; Anthropic input + cache read + cache write). */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  cachedInputTokens?: number;
  /** Prompt tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteInputTokens?: number;
}

export interface ChatResponse {
  id: string;
  /** The model that actually answered (upstream model name). */
  model: string;
  /** The assistant's text ('' when it only called tools). */
  content: string;
  /** The model's visible reasoning (Anthropic thinking, OpenAI-compatible `reasoning_content`). */
  reasoning?: string;
  /** The model declined: its refusal message (OpenAI `refusal`; Anthropic stop_reason `refusal`). */
  refusal?: string;
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Unix seconds. */
  created: number;
}

/**
 * A streamed answer is a sequence of events. A *complete* stream ends with exactly one `finish`
 * event; a stream that ends any other way is broken and must be reported as such, never as a
 * completed answer.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; usage?: Usage };

/** How an answer was served (becomes the `x-bulwark-*` response headers at the gateway). */
export interface ServedInfo {
  /** Deployment id, `cache` or `default`. */
  servedBy: string;
  /** Upstream attempts made in total (all steps, all retries). */
  attempts: number;
  /** 0 = the first step of the chain answered; 1 = the second; and so on. */
  fallbackDepth: number;
  /** True when the answer came from a stale cache entry or the default response, or a stream was continued on another model. */
  degraded: boolean;
  /** Request fields left out because the answering deployment's API cannot carry them (route `onUnsupported: drop`). */
  dropped?: readonly string[];
}

/** A routed answer to an {@link Exchange}: the caller's value and how it was served. */
export interface ExchangeResult<A> {
  answer: A;
  served: ServedInfo;
  /** Token usage observed in the answer (undefined when it reported none). */
  usage?: Usage;
}

/**
 * A streamed answer to an {@link Exchange}, resolved once its first token is available. `served`
 * may change later (a broken stream continued on another model); read it after iterating.
 */
export interface ExchangeStream<U> extends AsyncIterable<U> {
  readonly served: ServedInfo;
  /** The response headers of the upstream that began the answer (none for cache and default answers). */
  readonly upstreamHeaders: HeaderMap | undefined;
}

export interface ChatResult {
  response: ChatResponse;
  served: ServedInfo;
}

/** Options for one call through the router or an adapter. */
export interface CallOptions {
  /** The caller's signal: aborting it cancels the upstream request at once. */
  signal?: AbortSignal;
  /** Tenant the call is made for (cache scoping, per-key limits, metrics). Default `default`. */
  tenant?: string;
  /** Priority class for load shedding; lower is shed first. Default `normal`. */
  priority?: 'low' | 'normal' | 'high';
  /** Request id for logs and headers. */
  requestId?: string;
}

/**
 * A streamed answer from the router. `served` is known once the first event has arrived (a
 * failure before that fails over silently); it may change later if a broken stream is continued
 * on another model, so read it after iterating for the final value.
 */
export type ChatStream = ExchangeStream<StreamEvent>;

/** The router's public face, used in-process by applications and by the gateway. */
export interface Router {
  /** Answers a non-streaming request through the route named by `request.model`. */
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /**
   * Answers a streaming request. Resolves once the first event is available (failures before it
   * fail over silently), so the caller can send headers with the final `served` info.
   */
  stream(request: ChatRequest, options?: CallOptions): Promise<ChatStream>;
  /**
   * Answers one request of any API (see `exchange.ts`): the same fallback chain, cache and
   * default answer as `chat`, with the answer in the exchange's own form.
   */
  call<A, U>(exchange: Exchange<A, U>, options?: CallOptions): Promise<ExchangeResult<A>>;
  /** Streams one request of any API; resolves once the first token is available (as `stream`). */
  callStream<A, U>(exchange: Exchange<A, U>, options?: CallOptions): Promise<ExchangeStream<U>>;
  /** Route names callers may ask for (`GET /v1/models`). */
  models(): string[];
  /** Stops timers and closes connection pools. */
  close(): Promise<void>;
}
