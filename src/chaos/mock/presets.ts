/**
 * Named fault profiles for the mock provider (`--profile flaky`, `PUT /_mock/profile "down"`).
 * Each is a plain profile object, validated like a file would be.
 */
import type { MockFaultsInput } from './profile.js';

/** The presets, by name. `healthy` is the default of `startMockProvider` and `bulwark mock`. */
export const MOCK_PRESETS = Object.freeze({
  /** No faults, no latency. */
  healthy: {},
  /** Gentle: 3% 429 (Retry-After 1 s), 3% 500, 1% 503; 5–50 ms latency. */
  flaky: {
    default: { errors: { '429': 0.03, '500': 0.03, '503': 0.01 }, retryAfterMs: 1000, latency: { kind: 'uniform', minMs: 5, maxMs: 50 } },
  },
  /** Every request gets 503. */
  down: { default: { errors: { '503': 1 } } },
  /** At most 5 requests per second per target; the rest get 429 with Retry-After to the next second. */
  'rate-limited': { default: { rateLimit: { requestsPerSecond: 5 } } },
  /** Log-normal latency (p50 800 ms, p99 4 s) and 50 ms between stream events. */
  slow: { default: { latency: { kind: 'lognormal', p50Ms: 800, p99Ms: 4000 }, tokenDelayMs: 50 } },
  /** Every request is accepted and never answered. */
  hang: { default: { hang: 1 } },
  /** Every stream is destroyed after 3 events, without its terminal event. */
  'cut-streams': { default: { streamCut: { afterChunks: 3, probability: 1 } } },
  /** A bit of everything: errors, hangs, resets, malformed bodies, cut streams, heavy-tailed latency. */
  chaos: {
    default: {
      errors: { '429': 0.08, '500': 0.08, '503': 0.05, '529': 0.04 },
      retryAfterMs: 500,
      hang: 0.02,
      reset: 0.03,
      malformed: 0.02,
      streamCut: { afterChunks: 2, probability: 0.2 },
      latency: { kind: 'lognormal', p50Ms: 100, p99Ms: 2000 },
    },
  },
} satisfies Record<string, { default?: MockFaultsInput }>);

/** A preset's name. */
export type MockPresetName = keyof typeof MOCK_PRESETS;
