import type { ApiFamily, UpstreamBody, UpstreamCall, UpstreamReply } from './exchange.js';
import type { AwsStaticCredentials } from './providers/cloud-auth/aws-signer.js';
import type { GoogleCredentialOptions } from './providers/cloud-auth/google-token.js';
import type { OpenAICompatiblePresetName } from './providers/openai-compatible-presets.js';

/** Options for one upstream call. */
export interface ProviderCallOptions {
  /** Aborts the upstream HTTP request at once. */
  signal?: AbortSignal;
  /** Streaming: fail with `timeout` if no first chunk arrives within this many ms. */
  firstTokenTimeoutMs?: number;
  /** Streaming: fail with `timeout` if the wait for a next chunk exceeds this many ms. */
  idleTimeoutMs?: number;
}

/**
 * One upstream API: a transport that sends prepared calls ({@link UpstreamCall}) with the
 * provider's address, auth and default headers, and hands back the raw answer. It never reads
 * or rebuilds a body: that is the exchange's job (see `exchange.ts`). Every failure — a non-2xx
 * status, a broken connection, a watchdog timeout — is thrown as an `LlmError` (see `errors.ts`),
 * classified into the closed set.
 */
export interface Provider {
  /** The wire API its endpoints speak. */
  readonly dialect: ApiFamily;
  /** False when this OpenAI-compatible server refuses `stream_options` (see `UpstreamTarget.acceptsStreamOptions`). Default true. */
  readonly acceptsStreamOptions?: boolean;
  /** A non-streaming call: resolves with the 2xx reply, body read. */
  send(call: UpstreamCall, options?: ProviderCallOptions): Promise<UpstreamReply>;
  /** A streaming call: resolves once a 2xx event stream has begun; its chunks are read from the body. */
  open(call: UpstreamCall, options?: ProviderCallOptions): Promise<UpstreamBody>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

/** How to reach a provider. `apiKey` is a secret: never logged, never in errors, metrics or headers. */
export interface ProviderConfig {
  /** `openai` also covers any OpenAI-compatible server; `azure` is Azure OpenAI (deployment URLs, `api-key` header). */
  type: 'openai' | 'azure' | 'anthropic' | 'gemini' | 'vertex' | 'bedrock';
  /** `openai` only: a known OpenAI-compatible server (see `openai-compatible-presets.ts`). */
  preset?: OpenAICompatiblePresetName;
  /** `vertex`: the location (`europe-west4`, `global`); `bedrock`: the AWS region. */
  region?: string;
  /** `vertex`: the Google Cloud project id. */
  project?: string;
  /** `vertex`: whose models its deployments name. Default `google` (Gemini). */
  publisher?: 'google' | 'anthropic';
  /** `vertex`: service-account credentials; absent = Application Default Credentials. Secrets. */
  googleCredentials?: GoogleCredentialOptions;
  /** `bedrock`: static credentials; absent = the AWS default chain. Secrets. */
  awsCredentials?: AwsStaticCredentials;
  /** e.g. `https://api.openai.com/v1`, `https://api.anthropic.com`, `http://127.0.0.1:4010/v1`. The gateway fills in the public endpoint of cloud types and presets (`defaultBaseUrl`). */
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
