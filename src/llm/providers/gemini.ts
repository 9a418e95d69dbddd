/**
 * The Gemini transport: Google AI Studio (`{baseUrl}/v1beta/{endpoint}`, `x-goog-api-key`).
 * Bodies are written by the Gemini codec (src/llm/dialects/gemini); errors are Google's
 * `{error:{code,status,details}}`, a `RESOURCE_EXHAUSTED` honouring its `retryDelay`.
 */
import { classifyGeminiError } from '../dialects/gemini/gemini-errors.js';
import type { LlmError } from '../errors.js';
import type { UpstreamCall } from '../exchange.js';
import type { ProviderConfig } from '../provider.js';
import { HttpProvider, type ProviderDeps } from './http-provider.js';

/**
 * Provider for `type: 'gemini'`. `baseUrl` is the API root (default
 * `https://generativelanguage.googleapis.com`; one ending in `/v1beta` is accepted too).
 *
 * @example const p = new GeminiProvider({ type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', apiKey });
 */
export class GeminiProvider extends HttpProvider {
  readonly dialect = 'gemini' as const;
  protected readonly defaultHeaders: Readonly<Record<string, string>>;
  protected readonly authHeaders: Readonly<Record<string, string>>;
  private readonly root: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, 'Gemini');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.defaultHeaders = Object.freeze(headers);
    this.authHeaders = Object.freeze<Record<string, string>>(config.apiKey ? { 'x-goog-api-key': config.apiKey } : {});
    this.root = /\/v1(beta)?$/.test(this.basePath) ? this.basePath : `${this.basePath}/v1beta`;
  }

  protected pathOf(call: UpstreamCall): string {
    return `${this.root}/${call.endpoint}`;
  }

  protected override classifyHttp(status: number, headers: Record<string, string | string[] | undefined>, text: string): LlmError {
    return classifyGeminiError(status, headers, text, { now: this.clock.now(), secrets: this.secretValues, source: 'Gemini' });
  }
}
