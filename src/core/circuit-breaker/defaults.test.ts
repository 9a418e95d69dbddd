import { describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { BREAKER_DEFAULTS, WINDOW_BREAKER_DEFAULTS } from './defaults.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { CountWindowBreaker } from './count-window-breaker.js';
import { TimeWindowBreaker } from './time-window-breaker.js';

describe('breaker defaults (pinned: changing one is a breaking change)', () => {
  it('BREAKER_DEFAULTS: 5 failures, open 60 s, one probe, one success closes', () => {
    expect(BREAKER_DEFAULTS).toEqual({
      name: 'circuit-breaker',
      consecutiveFailures: 5,
      openMs: 60_000,
      openBackoffMultiplier: 1,
      maxOpenMs: 600_000,
      openJitterRatio: 0,
      halfOpenMaxCalls: 1,
      halfOpenSuccessThreshold: 1,
      metricsOnly: false,
    });
    expect(Object.isFrozen(BREAKER_DEFAULTS)).toBe(true);
  });

  it('WINDOW_BREAKER_DEFAULTS', () => {
    expect(WINDOW_BREAKER_DEFAULTS).toEqual({
      failureRateThreshold: 0.5,
      minimumCalls: 20,
      windowSize: 100,
      windowMs: 60_000,
      buckets: 10,
      slowCallDurationMs: Number.POSITIVE_INFINITY,
      slowCallRateThreshold: 1,
    });
    expect(Object.isFrozen(WINDOW_BREAKER_DEFAULTS)).toBe(true);
  });

  it('a breaker built with no options uses them', () => {
    const b = new CircuitBreaker({ clock: new FakeClock() });
    expect(b.options).toMatchObject({ name: 'circuit-breaker', openMs: 60_000, maxOpenMs: 600_000, halfOpenMaxCalls: 1, halfOpenSuccessThreshold: 1, metricsOnly: false });
    expect(b.options.strategy).toBeInstanceOf(ConsecutiveBreaker);
    expect((b.options.strategy as ConsecutiveBreaker).threshold).toBe(5);
    expect(new CountWindowBreaker().windowSize).toBe(100);
    expect(new CountWindowBreaker().thresholds).toEqual({ failureRateThreshold: 0.5, minimumCalls: 20, slowCallDurationMs: Infinity, slowCallRateThreshold: 1 });
    const t = new TimeWindowBreaker();
    expect([t.windowMs, t.buckets, t.bucketMs]).toEqual([60_000, 10, 6_000]);
  });

  it('default behaviour end to end: 5th consecutive failure opens, 60 s later one probe closes', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock });
    const fail = () => Promise.reject(new Error('down'));
    for (let i = 0; i < 4; i++) await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('closed');
    await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('open');
    await clock.advance(59_999);
    expect(b.state).toBe('open');
    await clock.advance(1);
    expect(b.state).toBe('half-open');
    await expect(b.execute(() => 'ok')).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });
});
