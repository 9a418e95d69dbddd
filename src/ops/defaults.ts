/**
 * Every ops default in one place (STYLE 6). `defaults.test.ts` pins them. The alert defaults are
 * the course's: breaker opened, error rate above 5 %, latency above the p95 threshold, primary
 * model unavailable; SLO burn rates follow the Google SRE workbook's multi-window table.
 */

/**
 * Buckets (seconds) the OpenTelemetry GenAI semantic conventions recommend for
 * `gen_ai.client.operation.duration` (powers of two from 10 ms to 81.92 s).
 */
export const GEN_AI_DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** Buckets the GenAI conventions recommend for `gen_ai.client.token.usage` (powers of four). */
export const GEN_AI_TOKEN_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** Buckets (seconds) for the gateway's own overhead: 50 µs to 100 ms. */
export const OVERHEAD_BUCKETS_S: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
]);

/** Label value every unconfigured tenant (and unknown route) collapses to. */
export const OTHER_LABEL = 'other';
/** Without configured routes, this many distinct route names get their own label; the rest are `other`. */
export const MAX_UNCONFIGURED_ROUTES = 50;

/** SLA: fine ring resolution (10 s buckets, 30 of them = 5 min). */
export const SLA_FINE_BUCKET_MS = 10_000;
export const SLA_FINE_BUCKETS = 30;
/** SLA: coarse ring resolution (5 min buckets, 12 of them = 1 h). */
export const SLA_COARSE_BUCKET_MS = 300_000;
export const SLA_COARSE_BUCKETS = 12;
/** SLA histograms keep 2 significant digits: percentiles within 1 %, about 8 KB per histogram. */
export const SLA_SIGNIFICANT_DIGITS = 2;
/** The SLA windows reported by `sla()`. */
export const SLA_WINDOWS = Object.freeze({ '1m': 60_000, '5m': 300_000, '1h': 3_600_000 } as const);
/** Highest latency tracked exactly by the SLA histograms (10 min); larger values are clamped. */
export const SLA_MAX_LATENCY_MS = 600_000;
/** Uptime transitions remembered per deployment (bounded). */
export const UPTIME_MAX_TRANSITIONS = 512;

/** Burn-rate counters: 1-min buckets for 6 h, 5-min buckets for 3 days. */
export const BURN_FINE_BUCKET_MS = 60_000;
export const BURN_FINE_BUCKETS = 360;
export const BURN_COARSE_BUCKET_MS = 300_000;
export const BURN_COARSE_BUCKETS = 864;

/** A multi-window burn-rate rule: fire when both windows burn faster than `factor`. */
export interface BurnRateWindowPair {
  name: string;
  longMs: number;
  shortMs: number;
  factor: number;
  severity: 'page' | 'ticket';
}

/** The SRE workbook's table; the short window is 1/12 of the long one. */
export const DEFAULT_BURN_RATE_PAIRS: readonly BurnRateWindowPair[] = Object.freeze([
  { name: '1h-5m', longMs: 3_600_000, shortMs: 300_000, factor: 14.4, severity: 'page' },
  { name: '6h-30m', longMs: 21_600_000, shortMs: 1_800_000, factor: 6, severity: 'page' },
  { name: '3d-6h', longMs: 259_200_000, shortMs: 21_600_000, factor: 1, severity: 'ticket' },
] as const);

/** SLO: availability target, percent. */
export const DEFAULT_SLO_AVAILABILITY_PERCENT = 99.5;
/** SLO: latency threshold (p95 < 2 s means 95 % of requests under 2000 ms). */
export const DEFAULT_SLO_LATENCY_THRESHOLD_MS = 2000;
export const DEFAULT_SLO_LATENCY_PERCENT = 95;

/** Alerts: evaluation tick. */
export const DEFAULT_ALERT_EVALUATE_EVERY_MS = 10_000;
/** Alerts: repeat a still-active alert at most this often. */
export const DEFAULT_ALERT_REPEAT_INTERVAL_MS = 30 * 60_000;
/** Alerts: error rate threshold (the course's 5 %). */
export const DEFAULT_ERROR_RATE_THRESHOLD = 0.05;
/** Alerts: window for the error-rate and latency rules. */
export const DEFAULT_ALERT_WINDOW = '5m' as const;
/** Alerts: minimum requests in the window before rate/latency rules may fire (noise guard). */
export const DEFAULT_ALERT_MIN_REQUESTS = 20;
/** Alerts: p95 latency threshold. */
export const DEFAULT_LATENCY_P95_THRESHOLD_MS = 2000;
/** Alerts: recent events kept for the dashboard timeline. */
export const DEFAULT_ALERT_TIMELINE_SIZE = 200;

/** Delivery: queue bound per sink (drop-oldest beyond it). */
export const DEFAULT_DELIVERY_QUEUE_SIZE = 1000;
/** Delivery: attempts per notification, including the first. */
export const DEFAULT_DELIVERY_MAX_ATTEMPTS = 5;
export const DEFAULT_DELIVERY_BASE_DELAY_MS = 1000;
export const DEFAULT_DELIVERY_MAX_DELAY_MS = 30_000;
/** Delivery: one webhook request's timeout. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** Health: warn when a deployment's 5-min error rate exceeds this (same as the alert). */
export const DEFAULT_HEALTH_ERROR_RATE_THRESHOLD = 0.05;
/** Health: warn when a deployment's 5-min p95 exceeds this. */
export const DEFAULT_HEALTH_LATENCY_P95_MS = 2000;
/** Health: the SLA figures need this many attempts before error rate/latency can warn. */
export const DEFAULT_HEALTH_MIN_REQUESTS = 10;

/** Probes: interval and per-probe timeout. */
export const DEFAULT_PROBE_INTERVAL_MS = 30_000;
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Access log: off unless `logging.access.enabled` (one line per request costs the hot path a serialization). */
export const DEFAULT_ACCESS_LOG_ENABLED = false;
/** Access log: level of its lines. */
export const DEFAULT_ACCESS_LOG_LEVEL = 'info' as const;
/** Access log: share of successful requests logged (failures and degraded answers always are). */
export const DEFAULT_ACCESS_LOG_SAMPLE_RATIO = 1;
