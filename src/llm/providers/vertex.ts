/**
 * The Vertex AI transport: Gemini models (`…/publishers/google/models/{m}:generateContent`,
 * the Gemini wire) and Anthropic models (`…/publishers/anthropic/models/{m}:rawPredict` /
 * `:streamRawPredict`, the Messages wire with `anthropic_version` in the body and no `model`),
 * under `{baseUrl}/v1/projects/{project}/locations/{region}`. Auth is Google's: see
 * `cloud-auth/google-token.ts`. One provider is one region: regions are deployments of their own.
 */
import { InvalidOptionsError } from '../../core/errors.js';
import { classifyGeminiError } from '../dialects/gemini/gemini-errors.js';
import { LlmError } from '../errors.js';
import type { UpstreamCall } from '../exchange.js';
import type { ProviderConfig } from '../provider.js';
import { GoogleTokenSource } from './cloud-auth/google-token.js';
import { HttpProvider, type PreparedRequest, type ProviderDeps } from './http-provider.js';

/** `anthropic_version` Vertex AI wants in the body of Anthropic calls. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/**
 * Provider for `type: 'vertex'` (`project` and `region` required; `publisher` `google` by
 * default). `baseUrl` defaults to the region's endpoint (`https://{region}-aiplatform.googleapis.com`).
 */
export class VertexProvider extends HttpProvider {
  readonly dialect: 'gemini' | 'anthropic';
  protected readonly defaultHeaders: Readonly<Record<string, string>>;
  protected readonly authHeaders: Readonly<Record<string, string>> = Object.freeze({});
  private readonly prefix: string;
  private readonly tokens: GoogleTokenSource;
  private readonly origin: string;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, 'Vertex AI');
    if (config.project === undefined || config.project === '') throw new InvalidOptionsError('provider.project is required for type vertex');
    if (config.region === undefined || config.region === '') throw new InvalidOptionsError('provider.region is required for type vertex');
    const publisher = config.publisher ?? 'google';
    this.dialect = publisher === 'anthropic' ? 'anthropic' : 'gemini';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.defaultHeaders = Object.freeze(headers);
    this.prefix = `${this.basePath}/v1/projects/${encodeURIComponent(config.project)}/locations/${encodeURIComponent(config.region)}/publishers/${publisher}`;
    this.tokens = new GoogleTokenSource(config.googleCredentials ?? {});
    this.origin = new URL(config.baseUrl).origin;
  }

  protected pathOf(call: UpstreamCall): string {
    if (this.dialect === 'gemini') return `${this.prefix}/${call.endpoint}`;
    if (call.endpoint !== 'messages') {
      throw new LlmError('bad_request', `Vertex AI serves Anthropic models' messages endpoint only, not '${call.endpoint}'`);
    }
    return `${this.prefix}/models/${encodeURIComponent(call.model)}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`;
  }

  protected override async authorize(request: PreparedRequest, call: UpstreamCall): Promise<void> {
    request.headers.authorization = await this.tokens.authorization(`${this.origin}${request.path}`);
    if (this.dialect === 'anthropic' && call.body !== undefined) {
      // The only change to a pass-through body: Vertex names the model in the path and the API
      // version in the body. Every other field goes as the client sent it.
      const body = JSON.parse(Buffer.concat(call.body.map((slice) => Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength))).toString('utf8')) as Record<string, unknown>;
      delete body.model;
      body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
      const bytes = Buffer.from(JSON.stringify(body));
      request.body = [bytes];
      request.headers['content-length'] = String(bytes.byteLength);
      delete request.headers['anthropic-version'];
    }
  }

  protected override classifyHttp(status: number, headers: Record<string, string | string[] | undefined>, text: string): LlmError {
    // Anthropic models on Vertex answer errors in Anthropic's shape; Gemini in Google's.
    if (this.dialect === 'anthropic' && text.includes('"type"')) return super.classifyHttp(status, headers, text);
    return classifyGeminiError(status, headers, text, { now: this.clock.now(), secrets: this.secretValues, source: 'Vertex AI' });
  }
}
