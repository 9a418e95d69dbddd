/**
 * Defaults of the gateway's load shedding (pinned by `scale-out.test.ts`). On by default: the
 * first-token limit never changes while traffic uses less than half of it, so healthy traffic is
 * never shed, and an overload is refused at once instead of queueing into timeouts.
 */

/** Load shedding is on unless `loadShedding.enabled: false`. */
export const DEFAULT_SHEDDING_ENABLED = true;
/** The whole gateway starts at 100 requests at once… */
export const DEFAULT_GATEWAY_INITIAL_LIMIT = 100;
/** …never adapts below 10… */
export const DEFAULT_GATEWAY_MIN_LIMIT = 10;
/** …nor above 5000. */
export const DEFAULT_GATEWAY_MAX_LIMIT = 5_000;
/** One deployment starts at 50 calls at once… */
export const DEFAULT_DEPLOYMENT_INITIAL_LIMIT = 50;
/** …never below 2… */
export const DEFAULT_DEPLOYMENT_MIN_LIMIT = 2;
/** …nor above 1000. */
export const DEFAULT_DEPLOYMENT_MAX_LIMIT = 1_000;
/** Share of the limit each priority class may fill: low-priority traffic is refused first, high last. */
export const DEFAULT_PRIORITY_SHARES = Object.freeze({ high: 1, normal: 0.9, low: 0.6 });
/** Header a client uses to lower (never raise above its key's) priority. */
export const PRIORITY_HEADER = 'x-bulwark-priority';

// ── The first-token limit's tuning (`first-token-limit.ts`); not configurable ──────────────
/** Weight of each sample's ratio (latency ÷ predicted) in the recent average (about the last ten). */
export const RECENT_WEIGHT = 0.1;
/** Weight of a sample in the unloaded-latency fit while the limit is not saturated (about the last fifty)… */
export const MODEL_WEIGHT = 0.02;
/** …and of a slower-than-predicted sample while it is: queueing is not the new normal. */
export const MODEL_WEIGHT_SATURATED = 0.001;
/** A prediction is never below this share of the average latency (a fit extrapolated below zero). */
export const MODEL_MIN_SHARE = 0.05;
/** Recent latency up to 1.3 × the predicted (+ the slack) is healthy… */
export const LATENCY_TOLERANCE = 1.3;
/** …plus 25 ms, so a 5 ms upstream's jitter is never mistaken for a queue… */
export const LATENCY_SLACK_MS = 25;
/** …and the gap must exceed this many standard errors of the recent average (the dependency's own spread). */
export const NOISE_SIGMAS = 2;
/** Below half of the limit in use, the limit drifts toward twice the recent peak concurrency… */
export const IDLE_HEADROOM = 2;
/** …by this fraction of the gap per sample (about a hundred samples). */
export const IDLE_DECAY_WEIGHT = 0.01;
/** The recent peak concurrency forgets an old peak by this fraction of the gap per sample (about a thousand samples). */
export const PEAK_DECAY_WEIGHT = 0.001;
/** A healthy sample on a saturated limit raises it by this / √limit: about √limit per round trip, no slow-start overshoot. */
export const LIMIT_GROWTH_PER_SAMPLE = 1;
/** A slow sample moves the limit a fifth of the way to `limit × tolerated / recent` (never below half). */
export const LIMIT_SMOOTHING = 0.2;
/** Weight of each call in the recent share of overload failures (about the last twenty calls)… */
export const OVERLOAD_RATE_WEIGHT = 0.05;
/** …above which an overload failure (timeout, upstream 503/529) cuts the limit to 90 %… */
export const OVERLOAD_RATE_THRESHOLD = 0.2;
/** The cut. */
export const DEFAULT_OVERLOAD_BACKOFF_RATIO = 0.9;
/** …at most once per recent latency and at least this many ms apart, so a few hung calls cannot collapse it. */
export const MIN_OVERLOAD_CUT_INTERVAL_MS = 250;
