/**
 * The router's defaults, in one place (Polly's `*Constants`). `defaults.test.ts` pins every value:
 * changing one is a behaviour change that must be deliberate. The breaker's 5 failures / 60 s and
 * the chain order primary → secondary → cache → default answer are the course's defaults.
 */

/** Consecutive failures that open a deployment's breaker. */
export const DEFAULT_BREAKER_FAILURE_THRESHOLD = 5;
/** How long an opened breaker stays open before a half-open probe (ms). */
export const DEFAULT_BREAKER_OPEN_MS = 60_000;
/** Probe calls allowed while half-open. */
export const DEFAULT_BREAKER_HALF_OPEN_MAX_CALLS = 1;

/** Attempts per deployment per chain step, including the first. */
export const DEFAULT_RETRY_MAX_ATTEMPTS = 2;
/** First backoff delay between attempts (ms); grows exponentially with jitter. */
export const DEFAULT_RETRY_BASE_DELAY_MS = 200;
/** Cap on one backoff delay (ms). */
export const DEFAULT_RETRY_MAX_DELAY_MS = 5_000;
/** A Retry-After hint longer than this is not waited for: the step fails over at once (ms). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

/** One non-streaming attempt's timeout (ms). */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;
/** Streaming: time allowed until the first token (ms). */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 10_000;
/** Streaming: longest allowed gap between two chunks (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15_000;
/** Whole-request deadline across every step of the chain (ms). */
export const DEFAULT_TOTAL_TIMEOUT_MS = 120_000;

/** Concurrent upstream calls per deployment before queueing. */
export const DEFAULT_BULKHEAD_MAX_CONCURRENT = 256;
/** Calls queued per deployment once the concurrent slots are full. */
export const DEFAULT_BULKHEAD_MAX_QUEUED = 512;
/** Longest wait in a deployment's bulkhead queue (ms). */
export const DEFAULT_BULKHEAD_QUEUE_TIMEOUT_MS = 5_000;

/** Hedging (only for groups whose `policies.hedge` is set): wait before another deployment starts (ms). */
export const DEFAULT_HEDGE_DELAY_MS = 2_000;
/** Hedging: extra attempts started at most per chain step. */
export const DEFAULT_HEDGE_MAX_HEDGES = 1;

/** Deployments of one group tried for one request before the chain moves to the next group. */
export const DEFAULT_MAX_DEPLOYMENTS_PER_STEP = 3;

/** Freshness of cached answers for routes with `cache: true` (ms). */
export const DEFAULT_CACHE_TTL_MS = 300_000;
/** LRU bound of the in-memory response cache (entries); the store lives in `state/`. */
export { DEFAULT_CACHE_MAX_ENTRIES } from '../state/defaults.js';
/** How long the last good answer is kept for stale-if-error (ms). */
export const DEFAULT_CACHE_STALE_TTL_MS = 86_400_000;

/** What a route does with a stream that breaks after chunks reached the caller. */
export const DEFAULT_STREAM_FAILOVER = 'continue' as const;
/** A field a deployment's API cannot carry is refused, never dropped silently. */
export const DEFAULT_ON_UNSUPPORTED = 'reject' as const;
/** Routes decide health (`/health` fail) unless they say otherwise. */
export const DEFAULT_ROUTE_REQUIRED = true;
/** Tenant used when a call names none. */
export const DEFAULT_TENANT = 'default';

/**
 * Instruction appended (as a user message) when a broken stream is continued on an
 * OpenAI-dialect model, which cannot take an assistant prefill.
 */
export const CONTINUATION_INSTRUCTION =
  'Your previous reply was cut off. Continue it exactly where it stopped: do not repeat any of it, do not comment, output only the remaining text.';
