import type { ProviderConfig } from './provider.js';

/**
 * The router's configuration as plain typed data. The gateway's YAML config (validated with zod
 * in `gateway/`) is translated into this; library users write it directly. Defaults are the
 * course's: breaker opens after 5 failures and stays open 60 s; chain primary → secondary →
 * cache → default answer.
 */
export interface RouterConfig {
  providers: Record<string, ProviderConfig>;
  modelGroups: Record<string, ModelGroupConfig>;
  routes: RouteConfig[];
  cache?: CacheConfig;
  /** Policy defaults for every deployment (a group's and a deployment's own settings override them). */
  policies?: DeploymentPolicies;
}

export interface ModelGroupConfig {
  deployments: DeploymentConfig[];
  /** Default `p2c-ewma` (power of two choices on peak-EWMA latency). */
  balancer?: 'p2c-ewma' | 'round-robin' | 'least-outstanding' | 'usage';
  policies?: DeploymentPolicies;
  /** Outlier ejection for this group's deployments. */
  ejection?: EjectionConfig;
}

export interface DeploymentConfig {
  /** Unique id, e.g. `openai-eastus-gpt4`; becomes `x-bulwark-served-by`. */
  id: string;
  /** Key into `RouterConfig.providers`. */
  provider: string;
  /** Upstream model name, e.g. `gpt-4o`. */
  model: string;
  region?: string;
  /** Weighted balancing share. Default 1. */
  weight?: number;
  /** Priority tier: all of tier 0 is tried before tier 1 (e.g. region A before region B). Default 0. */
  priority?: number;
  /** Requests per minute this deployment may take (usage-aware balancing, limits). */
  rpm?: number;
  /** Tokens per minute this deployment may take. */
  tpm?: number;
  /** Context window in tokens (for context-window fallback decisions). */
  contextWindow?: number;
  /** True if this model can continue a partial answer handed over as an assistant prefix. Default false. */
  canContinue?: boolean;
  policies?: DeploymentPolicies;
}

/** Per-deployment policies. Every field is optional; defaults are in `llm/defaults.ts`. */
export interface DeploymentPolicies {
  breaker?: {
    /** Consecutive failures that open the breaker. Default 5. */
    failureThreshold?: number;
    /** How long the breaker stays open. Default 60_000. */
    openMs?: number;
    /** Probe calls allowed in half-open. Default 1. */
    halfOpenMaxCalls?: number;
  };
  retry?: {
    /** All attempts, including the first. Default 2. */
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Give up at once if a Retry-After hint exceeds this. Default 30_000. */
    maxRetryAfterMs?: number;
  };
  /** One attempt's timeout (non-streaming). Default 30_000. */
  attemptTimeoutMs?: number;
  /** Streaming: time to first token. Default 10_000. */
  firstTokenTimeoutMs?: number;
  /** Streaming: max gap between chunks. Default 15_000. */
  idleTimeoutMs?: number;
  bulkhead?: { maxConcurrent?: number; maxQueued?: number; queueTimeoutMs?: number };
  /**
   * Hedged requests (latency-sensitive routes): when an attempt has not answered (non-streaming)
   * or produced its first token (streaming) after `delayMs`, start another on a different
   * deployment of the same group and keep whichever answers first. Off when absent; read from the
   * global and group `policies` (rejected on a deployment). Defaults 2_000 ms, 1 extra
   * attempt (`DEFAULT_HEDGE_*` in `llm/defaults.ts`).
   */
  hedge?: { delayMs?: number; maxHedges?: number };
}

export interface EjectionConfig {
  /** Consecutive failures that eject a deployment. Default 5. */
  consecutiveFailures?: number;
  /** First ejection time; grows with each ejection. Default 30_000. */
  baseEjectionMs?: number;
  /** Cap on the ejection time. Default 300_000. */
  maxEjectionMs?: number;
  /** Never eject more than this share of a group. Default 0.5. */
  maxEjectedPercent?: number;
  /** After re-admission, ramp traffic up over this period. Default 30_000. */
  slowStartMs?: number;
}

export interface RouteConfig {
  /** The model name callers ask for, e.g. `gpt-4`. */
  name: string;
  /** Model groups tried in order: primary, secondary, ... */
  chain: string[];
  /** Serve fresh cache hits for this route (normal cache). Stale-if-error is on regardless unless `staleIfError: false`. */
  cache?: boolean;
  cacheTtlMs?: number;
  staleIfError?: boolean;
  /** Answer of last resort, marked degraded. `{{model}}` and `{{request_id}}` are substituted. */
  defaultResponse?: string;
  /** On context_length_exceeded, try these groups (larger context) in order. */
  contextWindowFallbacks?: string[];
  /** On content_filtered, try these groups in order. */
  contentPolicyFallbacks?: string[];
  /** Identical concurrent requests share one upstream call. Default false. */
  coalesce?: boolean;
  /** A stream that breaks after chunks were sent: continue on the next model, or end with an error event. Default `continue`. */
  streamFailover?: 'continue' | 'error';
  /**
   * A request field a deployment's API cannot carry (an OpenAI-only field sent to an Anthropic
   * deployment, say): `reject` skips that deployment (a 400 naming the field when none can carry
   * it), `drop` sends the request without it and names it in `x-bulwark-dropped`. Default `reject`.
   */
  onUnsupported?: 'reject' | 'drop';
  /** Whole-request deadline across every step. Default 120_000. */
  totalTimeoutMs?: number;
  /** Routes marked required decide /health (fail with no usable deployment; /readyz never looks). Default true. */
  required?: boolean;
}

export interface CacheConfig {
  /** LRU bound. Default 10_000 entries. */
  maxEntries?: number;
  /** Byte budget of the in-memory cache (keys and values). Default 64 MiB. */
  maxBytes?: number;
  /** Freshness for routes that opt in. Default 300_000. */
  ttlMs?: number;
  /** How long stale copies are kept for stale-if-error. Default 86_400_000. */
  staleTtlMs?: number;
}
