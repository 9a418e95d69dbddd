/**
 * AWS Signature Version 4 for Bedrock calls, through AWS's own signer (`@smithy/signature-v4`,
 * the one the AWS SDK uses) and credential chain (`@aws-sdk/credential-providers`). Both are
 * imported only when a Bedrock provider signs its first call, so nobody else loads them.
 */
import { LlmError } from '../../errors.js';

/** Static AWS credentials (from `${ENV}` references in the config). */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the signer needs. */
export interface AwsSignerOptions {
  /** e.g. `us-east-1`. */
  region: string;
  /** Signing name. Default `bedrock`. */
  service?: string;
  /**
   * Static credentials; when absent, the AWS default chain is used (environment, shared
   * config/SSO, web identity, ECS/EC2 metadata), exactly as the AWS SDK resolves it.
   */
  credentials?: AwsStaticCredentials;
}

/** A request to sign: the URL, method, headers and the body bytes. */
export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Uint8Array;
}

type Signer = { sign(request: unknown, options?: unknown): Promise<{ headers: Record<string, string> }> };

/** Signs requests for one region and service; credentials are resolved (and refreshed) by the chain. */
export class AwsSigner {
  private signer: Promise<Signer> | undefined;

  constructor(private readonly options: AwsSignerOptions) {}

  /** The headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256`, `authorization` (and the session token). */
  async sign(request: SignableRequest): Promise<Record<string, string>> {
    const signer = await (this.signer ??= this.createSigner());
    const query: Record<string, string> = {};
    for (const [name, value] of request.url.searchParams) query[name] = value;
    try {
      const signed = await signer.sign({
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        port: request.url.port === '' ? undefined : Number(request.url.port),
        path: request.url.pathname,
        query,
        headers: { ...request.headers, host: request.url.host },
        body: request.body,
      });
      return signed.headers;
    } catch (err) {
      // Credential chain failures say which source failed; they never contain the secret itself.
      throw new LlmError('auth', `Bedrock request could not be signed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async createSigner(): Promise<Signer> {
    const [{ SignatureV4 }, { Hash }] = await Promise.all([import('@smithy/signature-v4'), import('@smithy/hash-node')]);
    let credentials: AwsStaticCredentials | (() => Promise<AwsStaticCredentials>);
    if (this.options.credentials !== undefined) credentials = this.options.credentials;
    else {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      credentials = fromNodeProviderChain();
    }
    return new SignatureV4({
      credentials,
      region: this.options.region,
      service: this.options.service ?? 'bedrock',
      sha256: Hash.bind(null, 'sha256'),
      // Bedrock model ids contain ':' (e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`): the
      // path is signed as sent, each segment escaped once, like the AWS SDK does for Bedrock.
      uriEscapePath: true,
    }) as unknown as Signer;
  }
}
