import { systemClock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { defaultRandom } from '../../core/random.js';
import { createGroupBalancer } from '../balance/group-balancer.js';
import { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_STALE_TTL_MS } from '../defaults.js';
import type { Provider } from '../provider.js';
import { createProvider } from '../providers/create-provider.js';
import type { RouterConfig } from '../router-config.js';
import type { Router } from '../types.js';
import { BulwarkRouter } from './bulwark-router.js';
import { MemoryCacheStore } from '../../state/cache/memory-cache-store.js';
import { ResponseCache } from './cache/response-cache.js';
import { Deployment } from './deployment.js';
import { ModelGroup } from './model-group.js';
import { implicitRoute, resolveRoute, type ResolvedRoute } from './resolved-route.js';
import { resolveHedge, resolvePolicies } from './resolve-policies.js';
import type { RouterControl } from './router-control.js';
import type { RouterDeps } from './router-deps.js';
import { validateRouterConfig } from './validate-config.js';

/**
 * Builds the LLM router. The config is validated once (InvalidOptionsError naming the path of
 * the bad field); providers (one per provider name), breakers, pipelines and balancers are built
 * once here. Routes answer by name; a model group may also be asked for directly (a one-step
 * route). Defaults: `llm/defaults.ts` (breaker 5 failures / 60 s, 2 attempts, 30 s attempt
 * timeout, 120 s total, cache 5 min / 10k entries).
 *
 * @example
 * const router = createRouter({
 *   providers: { openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey } },
 *   modelGroups: { gpt4: { deployments: [{ id: 'oai-gpt4', provider: 'openai', model: 'gpt-4o' }] } },
 *   routes: [{ name: 'gpt-4', chain: ['gpt4'], defaultResponse: 'Service busy, try again.' }],
 * });
 * const { response, served } = await router.chat({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
 */
export function createRouter(config: RouterConfig, deps: RouterDeps = {}): Router & RouterControl {
  validateRouterConfig(config);
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? defaultRandom;
  const makeProvider = deps.providers ?? ((_name, providerConfig) => createProvider(providerConfig, { clock }));

  const providers = new Map<string, Provider>();
  const providerFor = (name: string): Provider => {
    let provider = providers.get(name);
    if (provider === undefined) {
      provider = makeProvider(name, config.providers[name]);
      providers.set(name, provider);
    }
    return provider;
  };

  const deploymentsById = new Map<string, Deployment>();
  const groups = new Map<string, ModelGroup>();
  try {
    for (const [name, groupConfig] of Object.entries(config.modelGroups)) {
      const deployments = groupConfig.deployments.map((d) => {
        const deployment = new Deployment(name, d, providerFor(d.provider), resolvePolicies(config.policies, groupConfig.policies, d.policies), {
          clock,
          random,
          breakerStore: deps.breakerStore,
          probeGate: deps.probeGate,
          front: deps.deploymentPolicies?.({ id: d.id, group: name, config: d }),
        });
        deploymentsById.set(d.id, deployment);
        return deployment;
      });
      const balancer = createGroupBalancer(groupConfig, {
        clock,
        random,
        groupName: name,
        isAvailable: (id) => deploymentsById.get(id)!.isAvailable(),
      });
      groups.set(name, new ModelGroup(name, deployments, balancer, resolveHedge(config.policies, groupConfig.policies)));
    }
  } catch (error) {
    for (const provider of providers.values()) void provider.close();
    if (error instanceof InvalidOptionsError && !error.message.startsWith('RouterConfig')) {
      throw new InvalidOptionsError(`RouterConfig.${error.message}`);
    }
    throw error;
  }

  const routes = new Map<string, ResolvedRoute>();
  for (const route of config.routes) routes.set(route.name, resolveRoute(route, groups, config.cache));
  const implicitRoutes = new Set<string>();
  for (const group of groups.values()) {
    if (!routes.has(group.name)) {
      routes.set(group.name, implicitRoute(group, config.cache));
      implicitRoutes.add(group.name);
    }
  }

  const store = deps.cacheStore ?? new MemoryCacheStore({ maxEntries: config.cache?.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES, maxBytes: config.cache?.maxBytes, clock });
  const cache = new ResponseCache(store, clock, config.cache?.staleTtlMs ?? DEFAULT_CACHE_STALE_TTL_MS);
  return new BulwarkRouter({ clock, cache, providers, groups, deployments: deploymentsById, routes, implicitRoutes });
}
