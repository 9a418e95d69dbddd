/**
 * The system every drill runs against: one route `gpt-4` whose chain is the course's
 * primary model → secondary model → response cache → default answer, with the primary model
 * deployed in two regions (priority tiers): `east` (two deployments, tier 0) and `west`
 * (one deployment, tier 1). Every deployment is a logical deployment of the mock provider.
 */
import type { MockFaultsInput } from '../mock/profile.js';
import type { RouterConfig } from '../../llm/router-config.js';

/** The route the load asks for. */
export const DRILL_ROUTE = 'gpt-4';
/** Primary-model deployments in the preferred region (priority tier 0). */
export const PRIMARY_EAST = ['primary-east-1', 'primary-east-2'] as const;
/** The primary model's other region (priority tier 1). */
export const PRIMARY_WEST = 'primary-west-1';
/** The secondary model's deployment (second step of the chain). */
export const SECONDARY = 'secondary-1';
/** Every deployment of the primary model group. */
export const PRIMARY_ALL: readonly string[] = [...PRIMARY_EAST, PRIMARY_WEST];
/** Every deployment. */
export const ALL_DEPLOYMENTS: readonly string[] = [...PRIMARY_ALL, SECONDARY];
/** The default answer of the route (served, marked degraded, when nothing else can answer). */
export const DRILL_DEFAULT_RESPONSE = 'The assistant is busy right now; please try again shortly. ({{request_id}})';

/** Healthy latency of every mock deployment before faults: log-normal, p50 40 ms, p99 200 ms. */
export const BASELINE_FAULTS: MockFaultsInput = Object.freeze({ latency: Object.freeze({ kind: 'lognormal' as const, p50Ms: 40, p99Ms: 200 }), tokenDelayMs: 5 });

/** Policy timings of the drill topology (the course's 5-failure breaker; the open period is a drill setting). */
export interface DrillTimings {
  /** How long an opened breaker stays open (ms). */
  breakerOpenMs: number;
  /** One non-streaming attempt's timeout, also first-token and idle timeouts (ms). */
  attemptTimeoutMs: number;
  /** The whole request's deadline across the chain (ms). */
  totalTimeoutMs: number;
}

/** Options that break the topology on purpose (to show that a drill's checks can fail). */
export interface TopologyOptions {
  /** Leave the secondary model out of the chain. Default false. */
  withoutSecondary?: boolean;
  /** No default answer and no stale-if-error cache. Default false. */
  withoutLastResorts?: boolean;
}

/**
 * The router config of the drill. `baseUrlFor(deployment)` gives each deployment's provider
 * base URL (`http://127.0.0.1:port/deployments/<name>/v1` for the HTTP mock; anything for the
 * in-process mock, whose providers are injected).
 */
export function drillRouterConfig(timings: DrillTimings, baseUrlFor: (deployment: string) => string, options: TopologyOptions = {}): RouterConfig {
  const providers: RouterConfig['providers'] = {};
  for (const id of ALL_DEPLOYMENTS) providers[id] = { type: 'openai', baseUrl: baseUrlFor(id), apiKey: `sk-drill-${id}` };
  const primary = (id: string, priority: number, region: string) => ({ id, provider: id, model: 'gpt-4o', priority, region, canContinue: true });
  return {
    providers,
    modelGroups: {
      gpt4: { deployments: [...PRIMARY_EAST.map((id) => primary(id, 0, 'east')), primary(PRIMARY_WEST, 1, 'west')] },
      gpt35: { deployments: [{ id: SECONDARY, provider: SECONDARY, model: 'gpt-4o-mini', region: 'east', canContinue: true }] },
    },
    routes: [{
      name: DRILL_ROUTE,
      chain: options.withoutSecondary ? ['gpt4'] : ['gpt4', 'gpt35'],
      staleIfError: !options.withoutLastResorts,
      defaultResponse: options.withoutLastResorts ? undefined : DRILL_DEFAULT_RESPONSE,
      streamFailover: 'continue',
      totalTimeoutMs: timings.totalTimeoutMs,
    }],
    policies: {
      breaker: { failureThreshold: 5, openMs: timings.breakerOpenMs },
      retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 5_000 },
      attemptTimeoutMs: timings.attemptTimeoutMs,
      firstTokenTimeoutMs: timings.attemptTimeoutMs,
      idleTimeoutMs: timings.attemptTimeoutMs,
    },
  };
}
