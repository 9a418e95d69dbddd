import type { ProviderConfig } from '../../llm/provider.js';
import type { RouterConfig } from '../../llm/router-config.js';
import type { GatewayConfig, ProviderEntry } from './schema.js';

/** Base URL of a running embedded mock (optionally one logical deployment of it) for one dialect. */
export type MockUrlResolver = (mock: string, deployment: string | undefined, dialect: 'openai' | 'anthropic') => string;

/** The router's config plus what the gateway needs to say about it. */
export interface TranslatedConfig {
  router: RouterConfig;
  /** Provider names served by an embedded mock (no API key or no base URL). */
  mockedProviders: string[];
}

/** True when `provider` is to be served by its embedded mock rather than the real endpoint. */
export function usesMock(provider: ProviderEntry): boolean {
  return provider.mock !== undefined && (provider.baseUrl === undefined || !provider.apiKey);
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
      const dialect = provider.type === 'anthropic' ? 'anthropic' : 'openai';
      const mock = typeof provider.mock === 'string' ? { name: provider.mock, deployment: undefined } : provider.mock!;
      providers[name] = { type: dialect, baseUrl: resolveMock(mock.name, mock.deployment, dialect), apiKey: 'mock-key', connections: provider.connections, maxAnswerBytes: provider.maxAnswerBytes };
      mockedProviders.push(name);
      continue;
    }
    providers[name] = {
      type: provider.type,
      baseUrl: provider.baseUrl as string,
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
