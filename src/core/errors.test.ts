import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { BulwarkError, errorTags, tagError } from './errors.js';

// The catalog is a public contract: codes are stable and never reused. Adding an error means
// adding a row here; changing a row is a breaking change.
const CATALOG: Array<[string, () => BulwarkError, string, number]> = [
  ['BrokenCircuitError', () => new errors.BrokenCircuitError(), 'BULWARK_ERR_BROKEN_CIRCUIT', 503],
  ['IsolatedCircuitError', () => new errors.IsolatedCircuitError(), 'BULWARK_ERR_ISOLATED_CIRCUIT', 503],
  ['BulkheadRejectedError', () => new errors.BulkheadRejectedError(1, 0), 'BULWARK_ERR_BULKHEAD_REJECTED', 503],
  ['TimeoutError', () => new errors.TimeoutError(10), 'BULWARK_ERR_TIMEOUT', 504],
  ['RateLimitedError', () => new errors.RateLimitedError(100), 'BULWARK_ERR_RATE_LIMITED', 429],
  ['RetryBudgetExhaustedError', () => new errors.RetryBudgetExhaustedError(new Error('x')), 'BULWARK_ERR_RETRY_BUDGET_EXHAUSTED', 503],
  ['ConcurrencyLimitedError', () => new errors.ConcurrencyLimitedError(4), 'BULWARK_ERR_CONCURRENCY_LIMITED', 503],
  ['HedgeFailedError', () => new errors.HedgeFailedError(2), 'BULWARK_ERR_HEDGE_FAILED', 502],
  ['CancelledError', () => new errors.CancelledError(), 'BULWARK_ERR_CANCELLED', 499],
  ['InvalidOptionsError', () => new errors.InvalidOptionsError('bad'), 'BULWARK_ERR_INVALID_OPTIONS', 500],
  ['InjectedFaultError', () => new errors.InjectedFaultError(), 'BULWARK_ERR_INJECTED_FAULT', 500],
];

describe('error catalog', () => {
  it.each(CATALOG)('%s has code %s and status %i', (name, make, code, status) => {
    const error = make();
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
  });

  it('lists every exported error class in the table above', () => {
    const exported = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof BulwarkError)
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual(CATALOG.map(([name]) => name).sort());
  });

  it('codes are unique', () => {
    const codes = CATALOG.map(([, , code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps the original cause', () => {
    const cause = new Error('upstream 500');
    expect(new errors.TimeoutError(5, undefined, { cause }).cause).toBe(cause);
  });

  it('tags an error without changing its identity', () => {
    const original = new Error('boom');
    expect(tagError(original, 'T1')).toBe(original);
    tagError(original, 'T1');
    tagError(original, 'T2');
    expect(errorTags(original)).toEqual(['T1', 'T2']);
    expect(Object.keys(original)).toEqual([]);
    expect(errorTags('not an object')).toEqual([]);
  });
});
