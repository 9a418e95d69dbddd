/**
 * The OpenAI Chat Completions adapter: api.openai.com, any OpenAI-compatible server, and Azure
 * OpenAI (`{baseUrl}/openai/deployments/{model}/chat/completions?api-version=…`, `api-key` header).
 */
import { fromOpenAIResponse } from '../dialects/openai-response.js';
import { toOpenAIRequest } from '../dialects/openai-request.js';
import { OpenAIStreamDecoder } from '../dialects/openai-stream.js';
import type { ProviderConfig } from '../provider.js';
import type { SseEvent } from '../sse.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';
import { HttpProvider, type ProviderDeps, type SseDecoder, type UpstreamCall } from './http-provider.js';


/**
 * OpenAI's reasoning models (o1, o3, o4-mini…, gpt-5…) refuse `max_tokens` and want
 * `max_completion_tokens`; every other OpenAI-compatible model reads `max_tokens`.
 */
export const REASONING_MODEL = /^(o\d|gpt-5)/;
/** Azure OpenAI `api-version` used when the config gives none. Default `2024-10-21`. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

class OpenAISseDecoder implements SseDecoder {
  private readonly decoder = new OpenAIStreamDecoder();
  push(event: SseEvent): StreamEvent[] {
    return this.decoder.decode(event.data);
  }
  end(): StreamEvent[] {
    return this.decoder.end();
  }
}

/**
 * Provider for `type: 'openai'` and `type: 'azure'`. `baseUrl` is the API root including `/v1`
 * for OpenAI-style servers (e.g. `https://api.openai.com/v1`), or the resource URL for Azure
 * (e.g. `https://my-resource.openai.azure.com`).
 *
 * @example const p = new OpenAIProvider({ type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey });
 */
export class OpenAIProvider extends HttpProvider {
  readonly dialect = 'openai' as const;
  private readonly headers: Record<string, string>;
  private readonly azure: boolean;
  private readonly apiVersion: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, config.type === 'azure' ? 'Azure OpenAI' : 'OpenAI');
    this.azure = config.type === 'azure';
    this.apiVersion = config.apiVersion ?? AZURE_DEFAULT_API_VERSION;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    if (config.apiKey) {
      if (this.azure) headers['api-key'] = config.apiKey;
      else headers.authorization = `Bearer ${config.apiKey}`;
    }
    this.headers = headers;
  }

  protected prepare(request: ChatRequest, stream: boolean): UpstreamCall {
    const path = this.azure
      ? `${this.basePath}/openai/deployments/${encodeURIComponent(request.model)}/chat/completions?api-version=${encodeURIComponent(this.apiVersion)}`
      : `${this.basePath}/chat/completions`;
    const maxTokensField = REASONING_MODEL.test(request.model) ? 'max_completion_tokens' : 'max_tokens';
    return { path, headers: this.headers, body: JSON.stringify(toOpenAIRequest(request, { stream, maxTokensField })) };
  }

  protected readResponse(body: unknown): ChatResponse {
    return fromOpenAIResponse(body);
  }

  protected streamDecoder(): SseDecoder {
    return new OpenAISseDecoder();
  }
}
