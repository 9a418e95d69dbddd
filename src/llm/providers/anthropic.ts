/**
 * The Anthropic transport (`{baseUrl}/v1/{endpoint}`, `x-api-key`, `anthropic-version`).
 */
import type { UpstreamCall } from '../exchange.js';
import type { ProviderConfig } from '../provider.js';
import { HttpProvider, type ProviderDeps } from './http-provider.js';

/** The `anthropic-version` header sent unless the client or `config.headers` sets one. Default `2023-06-01`. */
export const ANTHROPIC_API_VERSION = '2023-06-01';

/**
 * Provider for `type: 'anthropic'`. `baseUrl` is the API root, e.g. `https://api.anthropic.com`
 * (a base URL already ending in `/v1` is accepted too).
 *
 * @example const p = new AnthropicProvider({ type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey });
 */
export class AnthropicProvider extends HttpProvider {
  readonly dialect = 'anthropic' as const;
  protected readonly defaultHeaders: Readonly<Record<string, string>>;
  protected readonly authHeaders: Readonly<Record<string, string>>;
  private readonly root: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, 'Anthropic');
    const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_API_VERSION };
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.defaultHeaders = Object.freeze(headers);
    const auth: Record<string, string> = {};
    if (config.apiKey) auth['x-api-key'] = config.apiKey;
    this.authHeaders = Object.freeze(auth);
    this.root = this.basePath.endsWith('/v1') ? this.basePath : `${this.basePath}/v1`;
  }

  protected pathOf(call: UpstreamCall): string {
    return `${this.root}/${call.endpoint}`;
  }
}
