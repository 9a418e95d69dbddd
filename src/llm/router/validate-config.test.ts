import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../core/errors.js';
import type { RouterConfig } from '../router-config.js';
import { validateRouterConfig } from './validate-config.js';

function valid(): RouterConfig {
  return {
    providers: { oai: { type: 'openai', baseUrl: 'http://127.0.0.1:1/v1' } },
    modelGroups: {
      a: { deployments: [{ id: 'a1', provider: 'oai', model: 'gpt-4o' }] },
      b: { deployments: [{ id: 'b1', provider: 'oai', model: 'gpt-4o-mini' }] },
    },
    routes: [{ name: 'r', chain: ['a', 'b'] }],
  };
}

// Each row breaks one field; the message must start with its path and show the bad value.
const CASES: Array<[string, (c: RouterConfig) => void, string]> = [
  ['provider type', (c) => ((c.providers.oai as { type: string }).type = 'cohere'), 'RouterConfig.providers.oai.type must be one of openai, azure, anthropic, gemini, vertex, bedrock (got "cohere")'],
  ['provider url', (c) => (c.providers.oai.baseUrl = 'not a url'), 'RouterConfig.providers.oai.baseUrl must be an absolute URL (got "not a url")'],
  ['empty group', (c) => (c.modelGroups.a.deployments = []), 'RouterConfig.modelGroups.a.deployments must list at least one deployment'],
  ['duplicate id', (c) => (c.modelGroups.b.deployments[0].id = 'a1'), 'RouterConfig.modelGroups.b.deployments[0].id "a1" is already used by modelGroups.a.deployments[0]'],
  ['reserved id', (c) => (c.modelGroups.a.deployments[0].id = 'cache'), 'RouterConfig.modelGroups.a.deployments[0].id "cache" is reserved'],
  ['unknown provider', (c) => (c.modelGroups.a.deployments[0].provider = 'x'), 'RouterConfig.modelGroups.a.deployments[0].provider names an unknown provider "x" (known: oai)'],
  ['unknown chain group', (c) => (c.routes[0].chain = ['a', 'zz']), 'RouterConfig.routes[0].chain[1] names an unknown model group "zz" (known: a, b)'],
  ['empty chain', (c) => (c.routes[0].chain = []), 'RouterConfig.routes[0].chain must be a non-empty array of model group names'],
  ['unknown context fallback', (c) => (c.routes[0].contextWindowFallbacks = ['big']), 'RouterConfig.routes[0].contextWindowFallbacks[0] names an unknown model group "big"'],
  ['unknown content fallback', (c) => (c.routes[0].contentPolicyFallbacks = ['safe']), 'RouterConfig.routes[0].contentPolicyFallbacks[0] names an unknown model group "safe"'],
  ['duplicate route', (c) => c.routes.push({ name: 'r', chain: ['a'] }), 'RouterConfig.routes[1].name "r" is already used by another route'],
  ['stream failover', (c) => ((c.routes[0] as { streamFailover: string }).streamFailover = 'retry'), 'RouterConfig.routes[0].streamFailover must be continue or error (got "retry")'],
  ['total timeout', (c) => (c.routes[0].totalTimeoutMs = 0), 'RouterConfig.routes[0].totalTimeoutMs must be a finite number >= 1 (got 0)'],
  ['breaker threshold', (c) => (c.policies = { breaker: { failureThreshold: 2.5 } }), 'RouterConfig.policies.breaker.failureThreshold must be an integer >= 1 (got 2.5)'],
  ['group policy', (c) => (c.modelGroups.a.policies = { attemptTimeoutMs: -1 }), 'RouterConfig.modelGroups.a.policies.attemptTimeoutMs must be a finite number >= 1 (got -1)'],
  ['deployment policy', (c) => (c.modelGroups.b.deployments[0].policies = { bulkhead: { maxConcurrent: 0 } }), 'RouterConfig.modelGroups.b.deployments[0].policies.bulkhead.maxConcurrent must be an integer >= 1 (got 0)'],
  ['provider url scheme', (c) => (c.providers.oai.baseUrl = 'ftp://x'), 'RouterConfig.providers.oai.baseUrl must be an absolute http(s) URL (got "ftp://x")'],
  ['provider connections', (c) => (c.providers.oai.connections = 0), 'RouterConfig.providers.oai.connections must be an integer >= 1 (got 0)'],
  ['provider api key', (c) => ((c.providers.oai as { apiKey: unknown }).apiKey = 42), 'RouterConfig.providers.oai.apiKey must be a string (got 42)'],
  ['provider headers', (c) => ((c.providers.oai as { headers: unknown }).headers = { 'x-a': 1 }), 'RouterConfig.providers.oai.headers.x-a must be a string (got 1)'],
  ['route cache flag', (c) => ((c.routes[0] as { cache: unknown }).cache = 'yes'), 'RouterConfig.routes[0].cache must be true or false (got "yes")'],
  ['route staleIfError flag', (c) => ((c.routes[0] as { staleIfError: unknown }).staleIfError = 'no'), 'RouterConfig.routes[0].staleIfError must be true or false (got "no")'],
  ['route coalesce flag', (c) => ((c.routes[0] as { coalesce: unknown }).coalesce = 1), 'RouterConfig.routes[0].coalesce must be true or false (got 1)'],
  ['route required flag', (c) => ((c.routes[0] as { required: unknown }).required = 'false'), 'RouterConfig.routes[0].required must be true or false (got "false")'],
  ['deployment canContinue flag', (c) => ((c.modelGroups.a.deployments[0] as { canContinue: unknown }).canContinue = 'true'), 'RouterConfig.modelGroups.a.deployments[0].canContinue must be true or false (got "true")'],
  ['hedge delay', (c) => (c.modelGroups.a.policies = { hedge: { delayMs: -5 } }), 'RouterConfig.modelGroups.a.policies.hedge.delayMs must be a finite number >= 0 (got -5)'],
  ['hedge count', (c) => (c.policies = { hedge: { maxHedges: 1.5 } }), 'RouterConfig.policies.hedge.maxHedges must be an integer >= 1 (got 1.5)'],
  ['misspelt policy', (c) => (c.policies = { retries: { maxAttempts: 3 } } as never), 'RouterConfig.policies.retries is not a policy (known: breaker, retry, attemptTimeoutMs, firstTokenTimeoutMs, idleTimeoutMs, bulkhead, hedge)'],
  ['misspelt retry field', (c) => (c.modelGroups.a.policies = { retry: { attempts: 3 } } as never), 'RouterConfig.modelGroups.a.policies.retry.attempts is not a retry setting (known: maxAttempts, baseDelayMs, maxDelayMs, maxRetryAfterMs)'],
  ['deployment hedge', (c) => (c.modelGroups.a.deployments[0].policies = { hedge: { delayMs: 500 } }), 'RouterConfig.modelGroups.a.deployments[0].policies.hedge is a group or top-level setting'],
  ['cache bound', (c) => (c.cache = { maxEntries: 0 }), 'RouterConfig.cache.maxEntries must be an integer >= 1 (got 0)'],
];

describe('validateRouterConfig', () => {
  it('accepts a valid config', () => {
    expect(() => validateRouterConfig(valid())).not.toThrow();
  });

  it.each(CASES)('rejects a bad %s, naming the path', (_name, breakIt, message) => {
    const config = valid();
    breakIt(config);
    expect(() => validateRouterConfig(config)).toThrow(InvalidOptionsError);
    expect(() => validateRouterConfig(config)).toThrow(message);
  });
});
