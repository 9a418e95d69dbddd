/**
 * The system every drill runs against: one route `gpt-4` whose chain is the course's
 * primary model → secondary model → response cache → default answer, with the primary model
 * deployed in two regions (priority tiers): `east` (two deployments, tier 0) and `west`
 * (one deployment, tier 1). Every deployment is a logical deployment of the mock provider.
 *
 * Both models are OpenAI's. The cross-cloud variant (`crossCloud`, the `vendor-outage`
 * scenarios) adds two other vendors after them, as `templates/resilience/cross-cloud.yaml` does:
 * Claude on AWS Bedrock (Converse, SigV4) and Gemini on Google AI Studio, each speaking its own
 * wire to the mock.
 */
import type { ApiFamily } from '../../llm/exchange.js';
import type { MockFaultsInput } from '../mock/profile.js';
import type { ProviderConfig } from '../../llm/provider.js';
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
/** Every deployment of the single-vendor topology (all OpenAI). */
export const ALL_DEPLOYMENTS: readonly string[] = [...PRIMARY_ALL, SECONDARY];
/** Cross-cloud: Claude on AWS Bedrock (third step of the chain). */
export const BEDROCK = 'bedrock-us-east-1';
/** Cross-cloud: Gemini on Google AI Studio (fourth step). */
export const GEMINI = 'gemini-ai-studio';
/** Every deployment of the cross-cloud topology. */
export const CROSS_CLOUD_DEPLOYMENTS: readonly string[] = [...ALL_DEPLOYMENTS, BEDROCK, GEMINI];

/** The vendor (provider type) of each deployment; absent from the topology without `crossCloud`. */
const VENDOR_OF: Readonly<Record<string, ApiFamily>> = Object.freeze({
  ...Object.fromEntries(ALL_DEPLOYMENTS.map((id) => [id, 'openai' as const])),
  [BEDROCK]: 'bedrock',
  [GEMINI]: 'gemini',
});

/** Every deployment of `vendor` in the cross-cloud topology (what a vendor outage takes down). */
export function deploymentsOfVendor(vendor: ApiFamily): string[] {
  return CROSS_CLOUD_DEPLOYMENTS.filter((id) => VENDOR_OF[id] === vendor);
}
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
  /** After the OpenAI models, Claude on Bedrock, then Gemini ({@link BEDROCK}, {@link GEMINI}). Default false. */
  crossCloud?: boolean;
}

/**
 * The router config of the drill. `mockUrlOf(deployment)` gives the root of each deployment on
 * the mock (`http://127.0.0.1:port/deployments/<name>` for the HTTP mock; anything for the
 * in-process mock, whose providers are injected); each provider adds its API's path to it.
 */
export function drillRouterConfig(timings: DrillTimings, mockUrlOf: (deployment: string) => string, options: TopologyOptions = {}): RouterConfig {
  const providers: RouterConfig['providers'] = {};
  for (const id of ALL_DEPLOYMENTS) providers[id] = { type: 'openai', baseUrl: `${mockUrlOf(id)}/v1`, apiKey: `sk-drill-${id}` };
  const primary = (id: string, priority: number, region: string) => ({ id, provider: id, model: 'gpt-4o', priority, region, canContinue: true });
  const modelGroups: RouterConfig['modelGroups'] = {
    gpt4: { deployments: [...PRIMARY_EAST.map((id) => primary(id, 0, 'east')), primary(PRIMARY_WEST, 1, 'west')] },
    gpt35: { deployments: [{ id: SECONDARY, provider: SECONDARY, model: 'gpt-4o-mini', region: 'east', canContinue: true }] },
  };
  const chain = options.withoutSecondary ? ['gpt4'] : ['gpt4', 'gpt35'];
  if (options.crossCloud) {
    // The mock checks no signature: any static credentials sign like real ones.
    providers[BEDROCK] = { type: 'bedrock', baseUrl: mockUrlOf(BEDROCK), region: 'us-east-1', awsCredentials: { accessKeyId: 'AKIADRILLEXAMPLE', secretAccessKey: `drill-secret-${BEDROCK}` } };
    providers[GEMINI] = { type: 'gemini', baseUrl: mockUrlOf(GEMINI), apiKey: `gk-drill-${GEMINI}` };
    modelGroups['claude-bedrock'] = { deployments: [{ id: BEDROCK, provider: BEDROCK, model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', region: 'us-east-1', canContinue: true }] };
    modelGroups['gemini'] = { deployments: [{ id: GEMINI, provider: GEMINI, model: 'gemini-2.5-flash', region: 'global', canContinue: true }] };
    chain.push('claude-bedrock', 'gemini');
  }
  return {
    providers,
    modelGroups,
    routes: [{
      name: DRILL_ROUTE,
      chain,
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

/** The API a provider speaks (what the in-process mock must answer in): Vertex speaks its publisher's. */
export function familyOfProvider(provider: ProviderConfig): ApiFamily {
  switch (provider.type) {
    case 'bedrock':
    case 'gemini':
    case 'anthropic':
      return provider.type;
    case 'vertex':
      return provider.publisher === 'anthropic' ? 'anthropic' : 'gemini';
    default:
      return 'openai';
  }
}
