/**
 * The AWS Bedrock transport: Converse and ConverseStream (`{baseUrl}/model/{id}/converse[-stream]`),
 * every request signed with SigV4 (see `cloud-auth/aws-signer.ts`); streams are AWS event-stream
 * frames; errors name their exception in `x-amzn-errortype`. Anthropic models on Bedrock are
 * served through Converse like every other family.
 */
import { InvalidOptionsError } from '../../core/errors.js';
import { classifyBedrockError } from '../dialects/bedrock/bedrock-errors.js';
import type { LlmError } from '../errors.js';
import type { UpstreamCall } from '../exchange.js';
import type { ProviderConfig } from '../provider.js';
import { AwsSigner } from './cloud-auth/aws-signer.js';
import { HttpProvider, type PreparedRequest, type ProviderDeps } from './http-provider.js';

/**
 * Provider for `type: 'bedrock'` (`region` required). `baseUrl` defaults to
 * `https://bedrock-runtime.{region}.amazonaws.com`.
 */
export class BedrockProvider extends HttpProvider {
  readonly dialect = 'bedrock' as const;
  protected readonly defaultHeaders: Readonly<Record<string, string>>;
  protected readonly authHeaders: Readonly<Record<string, string>> = Object.freeze({});
  protected override readonly streamContentType = 'application/vnd.amazon.eventstream';
  private readonly signer: AwsSigner;
  private readonly base: URL;

  constructor(config: ProviderConfig, deps: ProviderDeps = {}) {
    super(config, deps, 'Bedrock');
    if (config.region === undefined || config.region === '') throw new InvalidOptionsError('provider.region is required for type bedrock');
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.defaultHeaders = Object.freeze(headers);
    this.signer = new AwsSigner({ region: config.region, ...(config.awsCredentials ? { credentials: config.awsCredentials } : {}) });
    this.base = new URL(config.baseUrl);
  }

  protected pathOf(call: UpstreamCall): string {
    return `${this.basePath}/${call.endpoint}`;
  }

  protected override async authorize(request: PreparedRequest): Promise<void> {
    const slices = request.body ?? [];
    const body = slices.length === 1 ? slices[0] : Buffer.concat(slices.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)));
    if (request.path.endsWith('/converse-stream')) request.headers.accept = this.streamContentType;
    const url = new URL(request.path, this.base);
    const signed = await this.signer.sign({ method: 'POST', url, headers: request.headers, body });
    // The signer adds host, x-amz-date, x-amz-content-sha256, authorization (and the session token).
    for (const [name, value] of Object.entries(signed)) request.headers[name.toLowerCase()] = value;
    delete request.headers.host;
  }

  protected override classifyHttp(status: number, headers: Record<string, string | string[] | undefined>, text: string): LlmError {
    return classifyBedrockError(status, headers, text, { now: this.clock.now(), secrets: this.secretValues, source: 'Bedrock' });
  }
}
