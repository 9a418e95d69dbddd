import { InvalidOptionsError } from '../../core/errors.js';
import type { DeploymentPolicies, RouterConfig } from '../router-config.js';

/** Served-by values the router itself uses; a deployment may not take one of these ids. */
export const RESERVED_DEPLOYMENT_IDS: ReadonlySet<string> = new Set(['cache', 'default', 'none']);
const RESERVED_IDS = RESERVED_DEPLOYMENT_IDS;
const PROVIDER_TYPES: ReadonlySet<string> = new Set(['openai', 'azure', 'anthropic', 'gemini', 'vertex', 'bedrock']);
const STREAM_FAILOVER = new Set(['continue', 'error']);

function fail(path: string, problem: string): never {
  throw new InvalidOptionsError(`RouterConfig.${path} ${problem}`);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkNumber(path: string, value: unknown, min: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    fail(path, `must be ${integer ? 'an integer' : 'a finite number'} >= ${min} (got ${show(value)})`);
  }
}

function checkFlag(path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(path, `must be true or false (got ${show(value)})`);
}

function checkString(path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') fail(path, `must be a string (got ${show(value)})`);
}

function checkSection(path: string, value: unknown): void {
  if (value !== undefined && !isObject(value)) fail(path, `must be an object (got ${show(value)})`);
}

/** The keys each policy block knows: a misspelt one would otherwise be ignored without a word. */
const POLICY_KEYS: Record<string, { what: string; keys: readonly string[] }> = {
  '': { what: 'a policy', keys: ['breaker', 'retry', 'attemptTimeoutMs', 'firstTokenTimeoutMs', 'idleTimeoutMs', 'bulkhead', 'hedge'] },
  breaker: { what: 'a breaker setting', keys: ['failureThreshold', 'openMs', 'halfOpenMaxCalls'] },
  retry: { what: 'a retry setting', keys: ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] },
  bulkhead: { what: 'a bulkhead setting', keys: ['maxConcurrent', 'maxQueued', 'queueTimeoutMs'] },
  hedge: { what: 'a hedge setting', keys: ['delayMs', 'maxHedges'] },
};

function checkKeys(path: string, block: object, section: string): void {
  const { what, keys } = POLICY_KEYS[section];
  for (const key of Object.keys(block)) {
    if (!keys.includes(key)) fail(`${path}.${key}`, `is not ${what} (known: ${keys.join(', ')})`);
  }
}

/** Checks one `policies` block (global, group or deployment). */
export function validatePolicies(path: string, policies: DeploymentPolicies | undefined): void {
  if (policies === undefined) return;
  if (!isObject(policies as unknown)) fail(path, `must be an object (got ${show(policies)})`);
  checkKeys(path, policies, '');
  checkSection(`${path}.breaker`, policies.breaker);
  checkSection(`${path}.retry`, policies.retry);
  checkSection(`${path}.bulkhead`, policies.bulkhead);
  checkSection(`${path}.hedge`, policies.hedge);
  const { breaker, retry, bulkhead, hedge } = policies;
  for (const [section, block] of Object.entries({ breaker, retry, bulkhead, hedge })) {
    if (block !== undefined) checkKeys(`${path}.${section}`, block, section);
  }
  if (breaker !== undefined) {
    checkNumber(`${path}.breaker.failureThreshold`, breaker.failureThreshold, 1, true);
    checkNumber(`${path}.breaker.openMs`, breaker.openMs, 1);
    checkNumber(`${path}.breaker.halfOpenMaxCalls`, breaker.halfOpenMaxCalls, 1, true);
  }
  if (retry !== undefined) {
    checkNumber(`${path}.retry.maxAttempts`, retry.maxAttempts, 1, true);
    checkNumber(`${path}.retry.baseDelayMs`, retry.baseDelayMs, 0);
    checkNumber(`${path}.retry.maxDelayMs`, retry.maxDelayMs, 0);
    checkNumber(`${path}.retry.maxRetryAfterMs`, retry.maxRetryAfterMs, 0);
  }
  checkNumber(`${path}.attemptTimeoutMs`, policies.attemptTimeoutMs, 1);
  checkNumber(`${path}.firstTokenTimeoutMs`, policies.firstTokenTimeoutMs, 1);
  checkNumber(`${path}.idleTimeoutMs`, policies.idleTimeoutMs, 1);
  if (bulkhead !== undefined) {
    checkNumber(`${path}.bulkhead.maxConcurrent`, bulkhead.maxConcurrent, 1, true);
    checkNumber(`${path}.bulkhead.maxQueued`, bulkhead.maxQueued, 0, true);
    checkNumber(`${path}.bulkhead.queueTimeoutMs`, bulkhead.queueTimeoutMs, 0);
  }
  if (hedge !== undefined) {
    checkNumber(`${path}.hedge.delayMs`, hedge.delayMs, 0);
    checkNumber(`${path}.hedge.maxHedges`, hedge.maxHedges, 1, true);
  }
}

function checkGroupRefs(path: string, refs: unknown, groups: Record<string, unknown>, allowEmpty: boolean): void {
  if (refs === undefined) return;
  if (!Array.isArray(refs) || (!allowEmpty && refs.length === 0)) fail(path, `must be a non-empty array of model group names (got ${show(refs)})`);
  refs.forEach((name, i) => {
    if (typeof name !== 'string' || !Object.hasOwn(groups, name)) {
      fail(`${path}[${i}]`, `names an unknown model group ${show(name)} (known: ${Object.keys(groups).join(', ') || 'none'})`);
    }
  });
}

/**
 * Checks a router configuration once, at build: shapes, numbers, unique ids and every reference
 * (deployment → provider, route → model groups). Throws {@link InvalidOptionsError} whose message
 * starts with the path of the bad field, e.g. `RouterConfig.routes[0].chain[1] names an unknown
 * model group "gpt-5" (known: gpt-4, gpt-35)`. The balancer checks its own group settings.
 */
export function validateRouterConfig(config: RouterConfig): void {
  if (!isObject(config)) throw new InvalidOptionsError(`RouterConfig must be an object (got ${show(config)})`);
  if (!isObject(config.providers)) fail('providers', `must be an object of provider configs (got ${show(config.providers)})`);
  for (const [name, provider] of Object.entries(config.providers)) {
    const path = `providers.${name}`;
    if (!isObject(provider)) fail(path, `must be an object (got ${show(provider)})`);
    if (!PROVIDER_TYPES.has(provider.type)) fail(`${path}.type`, `must be one of ${[...PROVIDER_TYPES].join(', ')} (got ${show(provider.type)})`);
    if (typeof provider.baseUrl !== 'string' || !URL.canParse(provider.baseUrl)) fail(`${path}.baseUrl`, `must be an absolute URL (got ${show(provider.baseUrl)})`);
    if (!/^https?:$/.test(new URL(provider.baseUrl).protocol)) fail(`${path}.baseUrl`, `must be an absolute http(s) URL (got ${show(provider.baseUrl)})`);
    checkString(`${path}.apiKey`, provider.apiKey);
    checkString(`${path}.apiVersion`, provider.apiVersion);
    checkNumber(`${path}.connections`, provider.connections, 1, true);
    checkNumber(`${path}.maxAnswerBytes`, provider.maxAnswerBytes, 1024, true);
    checkSection(`${path}.headers`, provider.headers);
    for (const [header, value] of Object.entries(provider.headers ?? {})) checkString(`${path}.headers.${header}`, value);
  }

  if (!isObject(config.modelGroups)) fail('modelGroups', `must be an object of model groups (got ${show(config.modelGroups)})`);
  const seen = new Map<string, string>();
  for (const [name, group] of Object.entries(config.modelGroups)) {
    const path = `modelGroups.${name}`;
    if (!isObject(group)) fail(path, `must be an object (got ${show(group)})`);
    if (!Array.isArray(group.deployments) || group.deployments.length === 0) fail(`${path}.deployments`, 'must list at least one deployment');
    validatePolicies(`${path}.policies`, group.policies);
    group.deployments.forEach((d, i) => {
      const at = `${path}.deployments[${i}]`;
      if (!isObject(d)) fail(at, `must be an object (got ${show(d)})`);
      if (typeof d.id !== 'string' || d.id.length === 0) fail(`${at}.id`, `must be a non-empty string (got ${show(d.id)})`);
      if (RESERVED_IDS.has(d.id)) fail(`${at}.id`, `${show(d.id)} is reserved (cache, default and none are served-by values)`);
      const previous = seen.get(d.id);
      if (previous !== undefined) fail(`${at}.id`, `${show(d.id)} is already used by ${previous}; deployment ids are unique across groups`);
      seen.set(d.id, at);
      if (typeof d.provider !== 'string' || !Object.hasOwn(config.providers, d.provider)) {
        fail(`${at}.provider`, `names an unknown provider ${show(d.provider)} (known: ${Object.keys(config.providers).join(', ') || 'none'})`);
      }
      if (typeof d.model !== 'string' || d.model.length === 0) fail(`${at}.model`, `must be a non-empty string (got ${show(d.model)})`);
      checkNumber(`${at}.contextWindow`, d.contextWindow, 1, true);
      checkString(`${at}.region`, d.region);
      checkFlag(`${at}.canContinue`, d.canContinue);
      validatePolicies(`${at}.policies`, d.policies);
      if (d.policies?.hedge !== undefined) {
        fail(`${at}.policies.hedge`, 'is a group or top-level setting (hedging starts a call on another deployment of the group)');
      }
    });
  }

  if (!Array.isArray(config.routes)) fail('routes', `must be an array (got ${show(config.routes)})`);
  const names = new Set<string>();
  config.routes.forEach((route, i) => {
    const path = `routes[${i}]`;
    if (!isObject(route)) fail(path, `must be an object (got ${show(route)})`);
    if (typeof route.name !== 'string' || route.name.length === 0) fail(`${path}.name`, `must be a non-empty string (got ${show(route.name)})`);
    if (names.has(route.name)) fail(`${path}.name`, `${show(route.name)} is already used by another route`);
    names.add(route.name);
    checkGroupRefs(`${path}.chain`, route.chain ?? null, config.modelGroups, false);
    checkGroupRefs(`${path}.contextWindowFallbacks`, route.contextWindowFallbacks, config.modelGroups, true);
    checkGroupRefs(`${path}.contentPolicyFallbacks`, route.contentPolicyFallbacks, config.modelGroups, true);
    checkNumber(`${path}.cacheTtlMs`, route.cacheTtlMs, 0);
    checkNumber(`${path}.totalTimeoutMs`, route.totalTimeoutMs, 1);
    for (const flag of ['cache', 'staleIfError', 'coalesce', 'required'] as const) checkFlag(`${path}.${flag}`, route[flag]);
    if (route.onUnsupported !== undefined && route.onUnsupported !== 'reject' && route.onUnsupported !== 'drop') {
      fail(`${path}.onUnsupported`, `must be reject or drop (got ${show(route.onUnsupported)})`);
    }
    if (route.streamFailover !== undefined && !STREAM_FAILOVER.has(route.streamFailover)) {
      fail(`${path}.streamFailover`, `must be continue or error (got ${show(route.streamFailover)})`);
    }
    if (route.defaultResponse !== undefined && typeof route.defaultResponse !== 'string') {
      fail(`${path}.defaultResponse`, `must be a string (got ${show(route.defaultResponse)})`);
    }
  });

  validatePolicies('policies', config.policies);
  if (config.cache !== undefined) {
    if (!isObject(config.cache)) fail('cache', `must be an object (got ${show(config.cache)})`);
    checkNumber('cache.maxEntries', config.cache.maxEntries, 1, true);
    checkNumber('cache.maxBytes', config.cache.maxBytes, 1, true);
    checkNumber('cache.ttlMs', config.cache.ttlMs, 0);
    checkNumber('cache.staleTtlMs', config.cache.staleTtlMs, 0);
  }
}
