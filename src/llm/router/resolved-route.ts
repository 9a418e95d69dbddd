import {
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_ON_UNSUPPORTED,
  DEFAULT_ROUTE_REQUIRED,
  DEFAULT_STREAM_FAILOVER,
  DEFAULT_TOTAL_TIMEOUT_MS,
} from '../defaults.js';
import type { CacheConfig, RouteConfig } from '../router-config.js';
import type { ModelGroup } from './model-group.js';

/** A route with its groups looked up and every default filled in (built once, frozen). */
export interface ResolvedRoute {
  readonly name: string;
  readonly chain: readonly ModelGroup[];
  readonly contextWindowFallbacks: readonly ModelGroup[];
  readonly contentPolicyFallbacks: readonly ModelGroup[];
  /** Serve fresh cache hits. */
  readonly cache: boolean;
  readonly cacheTtlMs: number;
  /** Serve the last good answer when every model failed. */
  readonly staleIfError: boolean;
  readonly defaultResponse: string | undefined;
  readonly coalesce: boolean;
  readonly streamFailover: 'continue' | 'error';
  readonly onUnsupported: 'reject' | 'drop';
  readonly totalTimeoutMs: number;
  readonly required: boolean;
  /** True when the route reads or writes the cache at all. */
  readonly usesCache: boolean;
}

/** Resolves a route against the built groups. References were checked by `validateRouterConfig`. */
export function resolveRoute(route: RouteConfig, groups: ReadonlyMap<string, ModelGroup>, cache: CacheConfig | undefined): ResolvedRoute {
  const lookup = (names: readonly string[] | undefined) => Object.freeze((names ?? []).map((n) => groups.get(n)!));
  const staleIfError = route.staleIfError ?? true;
  const useCache = route.cache ?? false;
  return Object.freeze({
    name: route.name,
    chain: lookup(route.chain),
    contextWindowFallbacks: lookup(route.contextWindowFallbacks),
    contentPolicyFallbacks: lookup(route.contentPolicyFallbacks),
    cache: useCache,
    cacheTtlMs: route.cacheTtlMs ?? cache?.ttlMs ?? DEFAULT_CACHE_TTL_MS,
    staleIfError,
    defaultResponse: route.defaultResponse,
    coalesce: route.coalesce ?? false,
    streamFailover: route.streamFailover ?? DEFAULT_STREAM_FAILOVER,
    onUnsupported: route.onUnsupported ?? DEFAULT_ON_UNSUPPORTED,
    totalTimeoutMs: route.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS,
    required: route.required ?? DEFAULT_ROUTE_REQUIRED,
    usesCache: useCache || staleIfError,
  });
}

/** A model group asked for by name with no route of that name: a one-step route with the defaults. */
export function implicitRoute(group: ModelGroup, cache: CacheConfig | undefined): ResolvedRoute {
  const groups = new Map([[group.name, group]]);
  return resolveRoute({ name: group.name, chain: [group.name] }, groups, cache);
}
