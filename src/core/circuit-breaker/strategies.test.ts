import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { CountWindowBreaker } from './count-window-breaker.js';
import { TimeWindowBreaker } from './time-window-breaker.js';

describe('ConsecutiveBreaker', () => {
  it('trips on the Nth failure in a row; a success resets the run', () => {
    const s = new ConsecutiveBreaker(3);
    expect([s.onFailure(), s.onFailure(), s.onSuccess(), s.onFailure(), s.onFailure()]).toEqual([false, false, false, false, false]);
    expect(s.onFailure()).toBe(true);
    expect(s.tripReason()).toBe('3 consecutive failures');
    s.reset();
    expect(s.onFailure()).toBe(false);
    expect(s.measuresTime).toBe(false);
  });

  it.each([0, 1.5, -1, NaN, '5'])('rejects threshold %s naming the field', (bad) => {
    expect(() => new ConsecutiveBreaker(bad as number)).toThrow(InvalidOptionsError);
    expect(() => new ConsecutiveBreaker(bad as number)).toThrow(/ConsecutiveBreaker\.threshold.*got/);
  });
});

describe('CountWindowBreaker', () => {
  it('decides nothing before minimumCalls, then trips at the failure-rate threshold', () => {
    const s = new CountWindowBreaker({ windowSize: 10, minimumCalls: 4, failureRateThreshold: 0.5 });
    expect(s.onFailure(0)).toBe(false); // 1/1 but below minimumCalls
    expect(s.onFailure(0)).toBe(false);
    expect(s.onSuccess(0)).toBe(false);
    expect(s.onSuccess(0)).toBe(true); // 2/4 = 50% >= 50%
    expect(s.tripReason()).toBe('failure rate 50% >= 50% over 4 calls');
  });

  it('slides: the oldest outcome leaves the ring once it is full', () => {
    const s = new CountWindowBreaker({ windowSize: 4, minimumCalls: 4, failureRateThreshold: 0.75 });
    s.onFailure(0);
    s.onFailure(0);
    s.onSuccess(0);
    expect(s.onSuccess(0)).toBe(false); // 2/4
    expect(s.onFailure(0)).toBe(false); // evicts F: F S S F = 2/4
    expect(s.onFailure(0)).toBe(false); // evicts F: S S F F = 2/4
    expect(s.onFailure(0)).toBe(true); // evicts S: S F F F = 3/4
  });

  it('counts slow calls (successes included) against the slow-call threshold', () => {
    const s = new CountWindowBreaker({ windowSize: 4, minimumCalls: 4, failureRateThreshold: 1, slowCallDurationMs: 100, slowCallRateThreshold: 0.5 });
    expect(s.measuresTime).toBe(true);
    expect(s.onSuccess(100)).toBe(false);
    expect(s.onSuccess(10)).toBe(false);
    expect(s.onSuccess(99)).toBe(false);
    expect(s.onFailure(500)).toBe(true); // 2 slow of 4
    expect(s.tripReason()).toBe('slow-call rate 50% >= 50% over 4 calls (>= 100 ms)');
  });

  it('reset empties the window', () => {
    const s = new CountWindowBreaker({ windowSize: 2, minimumCalls: 2 });
    s.onFailure(0);
    s.reset();
    expect(s.onFailure(0)).toBe(false);
    expect(s.onFailure(0)).toBe(true);
  });

  it.each([
    [{ windowSize: 0 }, /CountWindowBreaker\.windowSize.*got 0/],
    [{ failureRateThreshold: 0 }, /CountWindowBreaker\.failureRateThreshold.*got 0/],
    [{ failureRateThreshold: 1.5 }, /failureRateThreshold.*got 1\.5/],
    [{ minimumCalls: 0.5 }, /CountWindowBreaker\.minimumCalls.*got 0\.5/],
    [{ slowCallDurationMs: -1 }, /slowCallDurationMs.*got -1/],
    [{ slowCallRateThreshold: 2 }, /slowCallRateThreshold.*got 2/],
  ])('rejects %o', (options, message) => {
    expect(() => new CountWindowBreaker(options)).toThrow(message);
  });
});

describe('TimeWindowBreaker', () => {
  const t0 = 1_000_000; // a multiple of every bucket size used below

  it('trips on the failure rate of calls inside the window', () => {
    const s = new TimeWindowBreaker({ windowMs: 1000, buckets: 10, minimumCalls: 3, failureRateThreshold: 0.6 });
    expect(s.onFailure(0, t0)).toBe(false);
    expect(s.onSuccess(0, t0 + 100)).toBe(false);
    expect(s.onFailure(0, t0 + 200)).toBe(true); // 2/3 >= 60%
  });

  it('outcomes older than the window stop counting, one bucket at a time', () => {
    const s = new TimeWindowBreaker({ windowMs: 1000, buckets: 10, minimumCalls: 2, failureRateThreshold: 1 });
    s.onFailure(0, t0); // bucket [t0, t0+100)
    expect(s.onFailure(0, t0 + 999)).toBe(true); // both in window
    s.reset();
    s.onFailure(0, t0);
    expect(s.onFailure(0, t0 + 1000)).toBe(false); // first left with its bucket: 1 call < minimumCalls
  });

  it('a long silence empties the whole window', () => {
    const s = new TimeWindowBreaker({ windowMs: 1000, buckets: 4, minimumCalls: 3, failureRateThreshold: 1 });
    s.onFailure(0, t0);
    s.onFailure(0, t0 + 10);
    expect(s.onFailure(0, t0 + 50_000)).toBe(false);
    expect(s.onFailure(0, t0 + 50_001)).toBe(false);
    expect(s.onFailure(0, t0 + 50_002)).toBe(true);
  });

  it('a clock stepping backwards records into the newest bucket', () => {
    const s = new TimeWindowBreaker({ windowMs: 1000, buckets: 10, minimumCalls: 2, failureRateThreshold: 1 });
    s.onFailure(0, t0 + 5000);
    expect(s.onFailure(0, t0)).toBe(true);
  });

  it('tracks slow calls', () => {
    const s = new TimeWindowBreaker({ windowMs: 1000, buckets: 10, minimumCalls: 2, failureRateThreshold: 1, slowCallDurationMs: 50, slowCallRateThreshold: 1 });
    expect(s.onSuccess(60, t0)).toBe(false);
    expect(s.onSuccess(50, t0 + 1)).toBe(true);
    expect(s.tripReason()).toMatch(/^slow-call rate 100%/);
  });

  it('validates: buckets must divide windowMs', () => {
    expect(() => new TimeWindowBreaker({ windowMs: 1000, buckets: 3 })).toThrow(/TimeWindowBreaker\.buckets must divide windowMs \(1000\), got 3/);
    expect(() => new TimeWindowBreaker({ windowMs: 0 })).toThrow(/TimeWindowBreaker\.windowMs.*got 0/);
  });
});
