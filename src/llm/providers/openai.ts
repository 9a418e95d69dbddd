/**
 * The OpenAI transport: api.openai.com, any OpenAI-compatible server, and Azure OpenAI
 * (`{baseUrl}/openai/deployments/{model}/{endpoint}?api-version=…`, `api-key` header).
 */
import type { UpstreamCall } from '../exchange.js';
import type { ProviderConfig } from '../provider.js';
import { HttpProvider, type ProviderDeps } from './http-provider.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.js';

/** Azure OpenAI `api-version` used when the config gives none. Default `2024-10-21`. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Provider for `type: 'openai'` and `type: 'azure'`. `baseUrl` is the API root including `/v1`
 * for OpenAI-style servers (e.g. `https://api.openai.com/v1`), or the resource URL for Azure
 * (e.g. `https://my-resource.openai.azure.com`).
 *
 * @example const p = new OpenAIProvider({ type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey });
 */
export class OpenAIProvider extends HttpProvider {
  readonly dialect = 'openai' as const;
  readonly acceptsStreamOptions: boolean;
  protected readonly defaultHeaders: Readonly<Record<string, string>>;
  protected readonly authHeaders: Readonly<Record<string, string>>;
  private readonly azure: boolean;
  private readonly apiVersion: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, config.type === 'azure' ? 'Azure OpenAI' : 'OpenAI');
    this.azure = config.type === 'azure';
    this.acceptsStreamOptions = config.preset === undefined || OPENAI_COMPATIBLE_PRESETS[config.preset].acceptsStreamOptions;
    this.apiVersion = encodeURIComponent(config.apiVersion ?? AZURE_DEFAULT_API_VERSION);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.defaultHeaders = Object.freeze(headers);
    const auth: Record<string, string> = {};
    if (config.apiKey) {
      if (this.azure) auth['api-key'] = config.apiKey;
      else auth.authorization = `Bearer ${config.apiKey}`;
    }
    this.authHeaders = Object.freeze(auth);
  }

  protected pathOf(call: UpstreamCall): string {
    if (!this.azure) return `${this.basePath}/${call.endpoint}`;
    return `${this.basePath}/openai/deployments/${encodeURIComponent(call.model)}/${call.endpoint}?api-version=${this.apiVersion}`;
  }
}
