/**
 * The Anthropic Messages adapter (`POST {baseUrl}/v1/messages`, `x-api-key`, `anthropic-version`).
 */
import { fromAnthropicResponse } from '../dialects/anthropic-response.js';
import { toAnthropicRequest } from '../dialects/anthropic-request.js';
import { AnthropicStreamDecoder } from '../dialects/anthropic-stream.js';
import type { ProviderConfig } from '../provider.js';
import type { SseEvent } from '../sse.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';
import { HttpProvider, type ProviderDeps, type SseDecoder, type UpstreamCall } from './http-provider.js';

/** The `anthropic-version` header sent unless `config.headers` overrides it. Default `2023-06-01`. */
export const ANTHROPIC_API_VERSION = '2023-06-01';

class AnthropicSseDecoder implements SseDecoder {
  private readonly decoder = new AnthropicStreamDecoder();
  push(event: SseEvent): StreamEvent[] {
    return this.decoder.decode(event.event, event.data);
  }
  end(): StreamEvent[] {
    return this.decoder.end();
  }
}

/**
 * Provider for `type: 'anthropic'`. `baseUrl` is the API root, e.g. `https://api.anthropic.com`
 * (a base URL already ending in `/v1` is accepted too).
 *
 * @example const p = new AnthropicProvider({ type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey });
 */
export class AnthropicProvider extends HttpProvider {
  readonly dialect = 'anthropic' as const;
  private readonly headers: Record<string, string>;
  private readonly path: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, 'Anthropic');
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_API_VERSION };
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    if (config.apiKey) headers['x-api-key'] = config.apiKey;
    this.headers = headers;
    this.path = this.basePath.endsWith('/v1') ? `${this.basePath}/messages` : `${this.basePath}/v1/messages`;
  }

  protected prepare(request: ChatRequest, stream: boolean): UpstreamCall {
    return { path: this.path, headers: this.headers, body: JSON.stringify(toAnthropicRequest(request, { stream })) };
  }

  protected readResponse(body: unknown): ChatResponse {
    return fromAnthropicResponse(body, Math.floor(this.clock.now() / 1000));
  }

  protected streamDecoder(): SseDecoder {
    return new AnthropicSseDecoder();
  }
}
