import * as D from '../defaults.js';
import type { DeploymentPolicies } from '../router-config.js';

/** A deployment's policies with every default filled in (global ← group ← deployment, field by field). */
export interface ResolvedPolicies {
  readonly breaker: { readonly failureThreshold: number; readonly openMs: number; readonly halfOpenMaxCalls: number };
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number; readonly maxRetryAfterMs: number };
  readonly attemptTimeoutMs: number;
  readonly firstTokenTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly bulkhead: { readonly maxConcurrent: number; readonly maxQueued: number; readonly queueTimeoutMs: number };
}

/**
 * Merges policy layers, most general first, into a new frozen object (children copy, never
 * mutate, their parent's settings). Defaults come from `llm/defaults.ts`.
 */
export function resolvePolicies(...layers: Array<DeploymentPolicies | undefined>): ResolvedPolicies {
  const pick = <T>(read: (p: DeploymentPolicies) => T | undefined, fallback: T): T => {
    let value = fallback;
    for (const layer of layers) {
      const v = layer === undefined ? undefined : read(layer);
      if (v !== undefined) value = v;
    }
    return value;
  };
  return Object.freeze({
    breaker: Object.freeze({
      failureThreshold: pick((p) => p.breaker?.failureThreshold, D.DEFAULT_BREAKER_FAILURE_THRESHOLD),
      openMs: pick((p) => p.breaker?.openMs, D.DEFAULT_BREAKER_OPEN_MS),
      halfOpenMaxCalls: pick((p) => p.breaker?.halfOpenMaxCalls, D.DEFAULT_BREAKER_HALF_OPEN_MAX_CALLS),
    }),
    retry: Object.freeze({
      maxAttempts: pick((p) => p.retry?.maxAttempts, D.DEFAULT_RETRY_MAX_ATTEMPTS),
      baseDelayMs: pick((p) => p.retry?.baseDelayMs, D.DEFAULT_RETRY_BASE_DELAY_MS),
      maxDelayMs: pick((p) => p.retry?.maxDelayMs, D.DEFAULT_RETRY_MAX_DELAY_MS),
      maxRetryAfterMs: pick((p) => p.retry?.maxRetryAfterMs, D.DEFAULT_MAX_RETRY_AFTER_MS),
    }),
    attemptTimeoutMs: pick((p) => p.attemptTimeoutMs, D.DEFAULT_ATTEMPT_TIMEOUT_MS),
    firstTokenTimeoutMs: pick((p) => p.firstTokenTimeoutMs, D.DEFAULT_FIRST_TOKEN_TIMEOUT_MS),
    idleTimeoutMs: pick((p) => p.idleTimeoutMs, D.DEFAULT_IDLE_TIMEOUT_MS),
    bulkhead: Object.freeze({
      maxConcurrent: pick((p) => p.bulkhead?.maxConcurrent, D.DEFAULT_BULKHEAD_MAX_CONCURRENT),
      maxQueued: pick((p) => p.bulkhead?.maxQueued, D.DEFAULT_BULKHEAD_MAX_QUEUED),
      queueTimeoutMs: pick((p) => p.bulkhead?.queueTimeoutMs, D.DEFAULT_BULKHEAD_QUEUE_TIMEOUT_MS),
    }),
  });
}

/** A model group's hedging: start another deployment after `delayMs`, at most `maxHedges` extra. */
export interface ResolvedHedge {
  readonly delayMs: number;
  readonly maxHedges: number;
}

/**
 * The hedge policy of a model group (global ← group layers; hedging starts a call on another
 * deployment of the group; validation rejects it on a deployment). Undefined —
 * no hedging — unless a layer sets `hedge`. Defaults: {@link D.DEFAULT_HEDGE_DELAY_MS},
 * {@link D.DEFAULT_HEDGE_MAX_HEDGES}.
 */
export function resolveHedge(...layers: Array<DeploymentPolicies | undefined>): ResolvedHedge | undefined {
  let hedge: ResolvedHedge | undefined;
  for (const layer of layers) {
    const h = layer?.hedge;
    if (h === undefined) continue;
    hedge = { delayMs: h.delayMs ?? hedge?.delayMs ?? D.DEFAULT_HEDGE_DELAY_MS, maxHedges: h.maxHedges ?? hedge?.maxHedges ?? D.DEFAULT_HEDGE_MAX_HEDGES };
  }
  return hedge === undefined ? undefined : Object.freeze(hedge);
}
