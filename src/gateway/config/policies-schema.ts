import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration.js';
import * as D from '../../llm/defaults.js';

const positiveInt = () => z.int().min(1);

const breakerFields = {
  failureThreshold: positiveInt().meta({ description: 'Consecutive failures that open the breaker.' }),
  openMs: positiveDurationSchema.meta({ description: 'How long the breaker stays open before a probe.' }),
  halfOpenMaxCalls: positiveInt().meta({ description: 'Probe calls allowed while half-open.' }),
};
const retryFields = {
  maxAttempts: positiveInt().meta({ description: 'Attempts per deployment, including the first.' }),
  baseDelayMs: durationSchema,
  maxDelayMs: durationSchema,
  maxRetryAfterMs: durationSchema.meta({ description: 'Give up at once if Retry-After asks for longer.' }),
};
const bulkheadFields = {
  maxConcurrent: positiveInt().meta({ description: 'Calls running at once on one deployment.' }),
  maxQueued: z.int().min(0).meta({ description: 'Calls waiting for a slot.' }),
  queueTimeoutMs: durationSchema,
};

const hedgeSchema = z.strictObject({
  delayMs: durationSchema.optional().meta({ description: 'Start another attempt when the first has not answered after this long (set near p95). Default 2s.' }),
  maxHedges: z.int().min(1).max(4).optional().meta({ description: 'Extra attempts at most. Default 1.' }),
});

/**
 * Policies for a group or one deployment: every field optional, overriding the top-level
 * `policies` (children copy their parent's settings, never mutate them).
 */
export const policiesOverrideSchema = z.strictObject({
  breaker: z.strictObject(breakerFields).partial().optional(),
  retry: z.strictObject(retryFields).partial().optional(),
  attemptTimeoutMs: positiveDurationSchema.optional(),
  firstTokenTimeoutMs: positiveDurationSchema.optional(),
  idleTimeoutMs: positiveDurationSchema.optional(),
  bulkhead: z.strictObject(bulkheadFields).partial().optional(),
  hedge: hedgeSchema.optional(),
});

/**
 * Policies of one deployment: like a group's, without `hedge` (hedging starts the extra call on
 * another deployment of the group, so it is a group or top-level setting).
 */
export const deploymentPoliciesSchema = policiesOverrideSchema.omit({ hedge: true });

/** Top-level policies: every deployment's defaults (the course's: breaker 5 failures, 60 s open). */
export const policiesSchema = z.strictObject({
  breaker: z
    .strictObject({
      failureThreshold: breakerFields.failureThreshold.default(D.DEFAULT_BREAKER_FAILURE_THRESHOLD),
      openMs: breakerFields.openMs.default(D.DEFAULT_BREAKER_OPEN_MS),
      halfOpenMaxCalls: breakerFields.halfOpenMaxCalls.default(D.DEFAULT_BREAKER_HALF_OPEN_MAX_CALLS),
    })
    .prefault({}),
  retry: z
    .strictObject({
      maxAttempts: retryFields.maxAttempts.default(D.DEFAULT_RETRY_MAX_ATTEMPTS),
      baseDelayMs: retryFields.baseDelayMs.default(D.DEFAULT_RETRY_BASE_DELAY_MS),
      maxDelayMs: retryFields.maxDelayMs.default(D.DEFAULT_RETRY_MAX_DELAY_MS),
      maxRetryAfterMs: retryFields.maxRetryAfterMs.default(D.DEFAULT_MAX_RETRY_AFTER_MS),
    })
    .prefault({}),
  attemptTimeoutMs: positiveDurationSchema.default(D.DEFAULT_ATTEMPT_TIMEOUT_MS),
  firstTokenTimeoutMs: positiveDurationSchema.default(D.DEFAULT_FIRST_TOKEN_TIMEOUT_MS),
  idleTimeoutMs: positiveDurationSchema.default(D.DEFAULT_IDLE_TIMEOUT_MS),
  bulkhead: z
    .strictObject({
      maxConcurrent: bulkheadFields.maxConcurrent.default(D.DEFAULT_BULKHEAD_MAX_CONCURRENT),
      maxQueued: bulkheadFields.maxQueued.default(D.DEFAULT_BULKHEAD_MAX_QUEUED),
      queueTimeoutMs: bulkheadFields.queueTimeoutMs.default(D.DEFAULT_BULKHEAD_QUEUE_TIMEOUT_MS),
    })
    .prefault({}),
  hedge: hedgeSchema.optional(),
});

export const ejectionSchema = z.strictObject({
  consecutiveFailures: positiveInt().optional(),
  baseEjectionMs: positiveDurationSchema.optional(),
  maxEjectionMs: positiveDurationSchema.optional(),
  maxEjectedPercent: z.number().min(0).max(1).optional(),
  slowStartMs: durationSchema.optional(),
});
