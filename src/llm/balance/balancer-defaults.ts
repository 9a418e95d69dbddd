/**
 * Defaults of group balancing and outlier ejection, in one place (pinned by
 * `balancer-defaults.test.ts`). `EjectionConfig` in `router-config.ts` documents the same values.
 */

/** The strategy a model group uses when its config names none: power of two choices on peak-EWMA latency. */
export const DEFAULT_BALANCER = 'p2c-ewma' as const;

/** Consecutive counted failures that eject a deployment. */
export const DEFAULT_EJECTION_CONSECUTIVE_FAILURES = 5;
/** First ejection time; the n-th recent ejection lasts n times this. */
export const DEFAULT_BASE_EJECTION_MS = 30_000;
/** Cap on one ejection's duration. */
export const DEFAULT_MAX_EJECTION_MS = 300_000;
/** Share (0..1) of a group that may be ejected at once; the count is rounded down. */
export const DEFAULT_MAX_EJECTED_PERCENT = 0.5;
/** After re-admission, traffic ramps up linearly over this period. */
export const DEFAULT_SLOW_START_MS = 30_000;
/** Share of normal traffic a deployment gets at the instant it is re-admitted (the ramp's start). */
export const SLOW_START_MIN_FACTOR = 0.1;

/** Peak-EWMA decay time (tau): a sample's influence falls to 1/e after this long (Finagle and linkerd use 10 s). */
export const EWMA_DECAY_MS = 10_000;
/** Latency assumed for a deployment before its first sample (LLM calls take seconds, so not 0: an unmeasured deployment must not attract every request). */
export const INITIAL_LATENCY_ESTIMATE_MS = 1_000;

/** Usage-aware balancing counts requests and tokens over this sliding window. */
export const USAGE_WINDOW_MS = 60_000;
/** The sliding window's resolution: it moves in buckets of this size. */
export const USAGE_BUCKET_MS = 1_000;
