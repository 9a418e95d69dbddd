import type { ProviderConfig } from '../../llm/provider.js';
import { defaultBaseUrl } from '../../llm/providers/default-base-url.js';
import type { RouterConfig } from '../../llm/router-config.js';
import type { GatewayConfig, ProviderEntry } from './schema.js';

/** Base URL of a running embedded mock (optionally one logical deployment of it) for one dialect. */
export type MockUrlResolver = (mock: string, deployment: string | undefined, dialect: 'openai' | 'anthropic' | 'gemini' | 'bedrock') => string;

/** The router's config plus what the gateway needs to say about it. */
export interface TranslatedConfig {
  router: RouterConfig;
  /** Provider names served by an embedded mock (no API key or no base URL). */
  mockedProviders: string[];
}

/**
 * True when `provider` is to be served by its embedded mock rather than the real endpoint: it
 * names a mock and lacks what the real endpoint needs (a base URL and key; for the clouds,
 * their credentials).
 */
export function usesMock(provider: ProviderEntry): boolean {
  if (provider.mock === undefined) return false;
  switch (provider.type) {
    case 'gemini':
      return !provider.apiKey;
    case 'vertex':
      return !provider.googleCredentials?.serviceAccountJson && !provider.googleCredentials?.keyFile;
    case 'bedrock':
      return awsCredentialsOf(provider) === undefined;
    default:
      return (provider.baseUrl === undefined && provider.preset === undefined) || !provider.apiKey;
  }
}

/** Static AWS credentials when both parts are set (empty `${VAR:-}` values mean: not configured). */
function awsCredentialsOf(provider: ProviderEntry): ProviderConfig['awsCredentials'] {
  const aws = provider.awsCredentials;
  if (!aws?.accessKeyId || !aws.secretAccessKey) return undefined;
  return { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey, ...(aws.sessionToken ? { sessionToken: aws.sessionToken } : {}) };
}

/** The provider config that points `provider` at its embedded mock (same wire; mock credentials). */
function mockedProvider(provider: ProviderEntry, resolveMock: MockUrlResolver): ProviderConfig {
  const mock = typeof provider.mock === 'string' ? { name: provider.mock, deployment: undefined } : provider.mock!;
  const shared = { connections: provider.connections, maxAnswerBytes: provider.maxAnswerBytes };
  switch (provider.type) {
    case 'anthropic':
      return { type: 'anthropic', baseUrl: resolveMock(mock.name, mock.deployment, 'anthropic'), apiKey: 'mock-key', ...shared };
    // Vertex speaks the Gemini (or Anthropic) wire; its mock stand-in needs no Google credentials.
    case 'vertex':
      return provider.publisher === 'anthropic'
        ? { type: 'anthropic', baseUrl: resolveMock(mock.name, mock.deployment, 'anthropic'), apiKey: 'mock-key', ...shared }
        : { type: 'gemini', baseUrl: resolveMock(mock.name, mock.deployment, 'gemini'), apiKey: 'mock-key', ...shared };
    case 'gemini':
      return { type: 'gemini', baseUrl: resolveMock(mock.name, mock.deployment, 'gemini'), apiKey: 'mock-key', ...shared };
    // Signed like the real thing (the mock does not check signatures).
    case 'bedrock':
      return {
        type: 'bedrock', region: provider.region ?? 'us-east-1', baseUrl: resolveMock(mock.name, mock.deployment, 'bedrock'),
        awsCredentials: { accessKeyId: 'MOCKACCESSKEY', secretAccessKey: 'mock-secret' }, ...shared,
      };
    default:
      return { type: 'openai', baseUrl: resolveMock(mock.name, mock.deployment, 'openai'), apiKey: 'mock-key', ...shared };
  }
}

/**
 * Translates a validated gateway config into the router's {@link RouterConfig}. Children copy,
 * never share, their parent's objects, so a later reload cannot mutate a running router's config.
 */
export function toRouterConfig(config: GatewayConfig, resolveMock: MockUrlResolver): TranslatedConfig {
  const providers: Record<string, ProviderConfig> = {};
  const mockedProviders: string[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    if (usesMock(provider)) {
      providers[name] = mockedProvider(provider, resolveMock);
      mockedProviders.push(name);
      continue;
    }
    providers[name] = {
      type: provider.type,
      baseUrl: (provider.baseUrl ?? defaultBaseUrl(provider)) as string,
      ...(provider.preset !== undefined ? { preset: provider.preset } : {}),
      ...(provider.region !== undefined ? { region: provider.region } : {}),
      ...(provider.project !== undefined ? { project: provider.project } : {}),
      ...(provider.publisher !== undefined ? { publisher: provider.publisher } : {}),
      ...(provider.googleCredentials?.serviceAccountJson || provider.googleCredentials?.keyFile ? { googleCredentials: { ...provider.googleCredentials } } : {}),
      ...(awsCredentialsOf(provider) !== undefined ? { awsCredentials: awsCredentialsOf(provider) } : {}),
      apiKey: provider.apiKey || undefined,
      apiVersion: provider.apiVersion,
      headers: provider.headers ? { ...provider.headers } : undefined,
      connections: provider.connections,
      maxAnswerBytes: provider.maxAnswerBytes,
    };
  }
  const modelGroups: RouterConfig['modelGroups'] = {};
  for (const [name, group] of Object.entries(config.modelGroups)) {
    modelGroups[name] = structuredClone(group);
  }
  const routes = config.routes.map((route) => {
    const copy = structuredClone(route);
    if (copy.defaultResponse === undefined && config.defaultResponse !== undefined) copy.defaultResponse = config.defaultResponse;
    return copy;
  });
  return {
    router: { providers, modelGroups, routes, cache: { ...config.cache }, policies: structuredClone(config.policies) },
    mockedProviders,
  };
}
