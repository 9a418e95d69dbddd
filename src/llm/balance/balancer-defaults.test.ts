import { describe, expect, it } from 'vitest';
import * as defaults from './balancer-defaults.js';
import { resolveEjection } from './balancer-options.js';

describe('balancer defaults', () => {
  it('pins every default', () => {
    expect({ ...defaults }).toEqual({
      DEFAULT_BALANCER: 'p2c-ewma',
      DEFAULT_EJECTION_CONSECUTIVE_FAILURES: 5,
      DEFAULT_BASE_EJECTION_MS: 30_000,
      DEFAULT_MAX_EJECTION_MS: 300_000,
      DEFAULT_MAX_EJECTED_PERCENT: 0.5,
      DEFAULT_SLOW_START_MS: 30_000,
      SLOW_START_MIN_FACTOR: 0.1,
      EWMA_DECAY_MS: 10_000,
      INITIAL_LATENCY_ESTIMATE_MS: 1_000,
      USAGE_WINDOW_MS: 60_000,
      USAGE_BUCKET_MS: 1_000,
    });
  });

  it('an empty ejection config resolves to the defaults', () => {
    expect(resolveEjection(undefined)).toEqual({
      consecutiveFailures: 5,
      baseEjectionMs: 30_000,
      maxEjectionMs: 300_000,
      maxEjectedPercent: 0.5,
      slowStartMs: 30_000,
    });
    expect(Object.isFrozen(resolveEjection({}))).toBe(true);
  });
});
