import { z } from 'zod';
import * as O from '../../ops/defaults.js';
import { durationMs, durationSchema, positiveDurationSchema } from './duration.js';
import { MIN_TICK_MS } from './limits.js';

// Read by ops (`src/ops/config.ts`). Strict like every other section: a misspelt field is
// refused by path, never ignored (`evaluteEvery: 1s` used to leave the 10 s default in place).

const percent = z.number().gt(0).max(99.9999);
const sloObjectiveFields = {
  availabilityPercent: percent.default(O.DEFAULT_SLO_AVAILABILITY_PERCENT),
  latencyThresholdMs: positiveDurationSchema.default(O.DEFAULT_SLO_LATENCY_THRESHOLD_MS),
  latencyPercent: percent.default(O.DEFAULT_SLO_LATENCY_PERCENT),
};
const tickSchema = durationMs({ min: MIN_TICK_MS, why: 'a faster tick is a busy loop' });

const sinkName = z.string().min(1).optional().meta({ description: 'Shown in logs and the dashboard instead of the URL (which may hold a token).' });
/** Where notifications go. URLs and credential headers are secrets: written as `${ENV_VAR}`. */
export const alertSinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('log') }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).meta({ description: 'Receives each notification as JSON (POST).' }),
    headers: z.record(z.string(), z.string()).optional().meta({ description: 'e.g. { authorization: "Bearer ${ALERT_TOKEN}" }: credential headers must be ${ENV_VAR} references.' }),
    name: sinkName,
  }),
  z.strictObject({
    type: z.literal('slack'),
    url: z.url({ protocol: /^https?$/ }).meta({ description: 'Slack incoming-webhook URL: the URL is the token, so write "${SLACK_WEBHOOK_URL}".' }),
    name: sinkName,
  }),
]);

/** Alert rules and sinks. */
export const alertsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  evaluateEvery: tickSchema.default(O.DEFAULT_ALERT_EVALUATE_EVERY_MS),
  repeatInterval: positiveDurationSchema.default(O.DEFAULT_ALERT_REPEAT_INTERVAL_MS),
  window: z.enum(['1m', '5m', '1h']).default(O.DEFAULT_ALERT_WINDOW),
  minRequests: z.int().min(1).default(O.DEFAULT_ALERT_MIN_REQUESTS),
  errorRateThreshold: z.number().min(0).max(1).default(O.DEFAULT_ERROR_RATE_THRESHOLD),
  latencyP95ThresholdMs: positiveDurationSchema.default(O.DEFAULT_LATENCY_P95_THRESHOLD_MS),
  rules: z.strictObject({
    breakerOpened: z.boolean().default(true),
    errorRate: z.boolean().default(true),
    latencyP95: z.boolean().default(true),
    primaryUnavailable: z.boolean().default(true),
    sloBurnRate: z.boolean().default(true),
    dependencyDown: z.boolean().default(true),
  }).prefault({}),
  sinks: z.array(alertSinkSchema).default([{ type: 'log' }]),
  timelineSize: z.int().min(1).max(100_000).optional().meta({ description: `Recent alert events kept for the dashboard. Default ${O.DEFAULT_ALERT_TIMELINE_SIZE}.` }),
  delivery: z.strictObject({
    queueSize: z.int().min(1).max(1_000_000).optional(),
    maxAttempts: z.int().min(1).max(100).optional(),
    baseDelay: durationSchema.optional(),
    maxDelay: durationSchema.optional(),
    timeout: positiveDurationSchema.optional(),
  }).optional().meta({ description: 'Retries of a failed sink delivery.' }),
});

/** Service-level objectives. Per-route overrides under `routes`. */
export const sloSchema = z.strictObject({
  enabled: z.boolean().default(true),
  ...sloObjectiveFields,
  routes: z.record(z.string(), z.strictObject(sloObjectiveFields).partial()).optional(),
  burnRates: z.array(z.strictObject({
    name: z.string().min(1),
    longMs: positiveDurationSchema,
    shortMs: positiveDurationSchema,
    factor: z.number().positive(),
    severity: z.enum(['page', 'ticket']),
  })).optional().meta({ description: 'Multi-window burn-rate rules (default: the SRE workbook\'s table).' }),
});

/** Health verdicts and active probes. */
export const healthSchema = z.strictObject({
  probes: z.boolean().default(false).meta({ description: 'Actively probe every deployment (one cheap 1-token request each interval; costs tokens on paid providers).' }),
  probeIntervalMs: tickSchema.default(O.DEFAULT_PROBE_INTERVAL_MS),
  probeTimeoutMs: positiveDurationSchema.default(O.DEFAULT_PROBE_TIMEOUT_MS),
  errorRateThreshold: z.number().min(0).max(1).default(O.DEFAULT_HEALTH_ERROR_RATE_THRESHOLD),
  latencyP95Ms: positiveDurationSchema.default(O.DEFAULT_HEALTH_LATENCY_P95_MS),
  minRequests: z.int().min(1).default(O.DEFAULT_HEALTH_MIN_REQUESTS),
});
