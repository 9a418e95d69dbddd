import { describe, expect, it } from 'vitest';
import * as defaults from './defaults.js';

// The router's defaults are a public contract (the course's breaker: 5 failures, 60 s open).
// Changing one means changing this table on purpose.
const PINNED: Record<string, unknown> = {
  DEFAULT_BREAKER_FAILURE_THRESHOLD: 5,
  DEFAULT_BREAKER_OPEN_MS: 60_000,
  DEFAULT_BREAKER_HALF_OPEN_MAX_CALLS: 1,
  DEFAULT_RETRY_MAX_ATTEMPTS: 2,
  DEFAULT_RETRY_BASE_DELAY_MS: 200,
  DEFAULT_RETRY_MAX_DELAY_MS: 5_000,
  DEFAULT_MAX_RETRY_AFTER_MS: 30_000,
  DEFAULT_ATTEMPT_TIMEOUT_MS: 30_000,
  DEFAULT_FIRST_TOKEN_TIMEOUT_MS: 10_000,
  DEFAULT_IDLE_TIMEOUT_MS: 15_000,
  DEFAULT_TOTAL_TIMEOUT_MS: 120_000,
  DEFAULT_BULKHEAD_MAX_CONCURRENT: 256,
  DEFAULT_BULKHEAD_MAX_QUEUED: 512,
  DEFAULT_BULKHEAD_QUEUE_TIMEOUT_MS: 5_000,
  DEFAULT_MAX_DEPLOYMENTS_PER_STEP: 3,
  DEFAULT_HEDGE_DELAY_MS: 2_000,
  DEFAULT_HEDGE_MAX_HEDGES: 1,
  DEFAULT_CACHE_TTL_MS: 300_000,
  DEFAULT_CACHE_MAX_ENTRIES: 10_000,
  DEFAULT_CACHE_STALE_TTL_MS: 86_400_000,
  DEFAULT_STREAM_FAILOVER: 'continue',
  DEFAULT_ON_UNSUPPORTED: 'reject',
  DEFAULT_ROUTE_REQUIRED: true,
  DEFAULT_TENANT: 'default',
};

describe('router defaults', () => {
  it.each(Object.entries(PINNED))('%s = %s', (name, value) => {
    expect((defaults as Record<string, unknown>)[name]).toBe(value);
  });

  it('pins every exported DEFAULT_* constant', () => {
    const exported = Object.keys(defaults).filter((name) => name.startsWith('DEFAULT_')).sort();
    expect(exported).toEqual(Object.keys(PINNED).sort());
  });
});
