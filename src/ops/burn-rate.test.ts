import { describe, expect, it } from 'vitest';
import { BurnRateTracker, burnRate } from './burn-rate.js';
import { DEFAULT_BURN_RATE_PAIRS } from './defaults.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);

describe('burn rate', () => {
  it('is the bad fraction over the budget fraction', () => {
    expect(burnRate(0.072, 99.5)).toBeCloseTo(14.4, 10);
    expect(burnRate(0.005, 99.5)).toBeCloseTo(1, 10);
    expect(burnRate(0.3, 95)).toBeCloseTo(6, 10);
    expect(burnRate(0, 99.9)).toBe(0);
  });

  it('evaluates the workbook pairs on a synthetic series', () => {
    const burn = new BurnRateTracker();
    // Two days at 0.1 % errors (0.2x on a 99.5 % SLO), one request per minute... in 10-request lumps.
    for (let m = 0; m < 2 * 24 * 60; m++) for (let i = 0; i < 10; i++) burn.record('r', t0 + m * 60_000, (m * 10 + i) % 1000 === 0, false);
    const calm = t0 + 2 * 24 * HOUR;
    const quiet = burn.evaluate('r', 'availability', 99.5, DEFAULT_BURN_RATE_PAIRS, 1, calm);
    expect(quiet.every((s) => !s.firing)).toBe(true);
    expect(quiet[0].longRate!).toBeLessThan(1);

    // Then 30 minutes at 10 % errors: 20x.
    for (let m = 0; m < 30; m++) for (let i = 0; i < 10; i++) burn.record('r', calm + m * 60_000, i === 0, false);
    const now = calm + 29 * 60_000;
    const [fast, medium, slow] = burn.evaluate('r', 'availability', 99.5, DEFAULT_BURN_RATE_PAIRS, 1, now);
    expect(fast.shortRate!).toBeCloseTo(20, 6); // the last 5 min are all in the bad period
    // 1 h: 30 bad minutes + 30 calm minutes ≈ (300·0.1 + 300·0.001)/600 / 0.005 ≈ 10.1x < 14.4
    expect(fast.longRate!).toBeGreaterThan(9);
    expect(fast.longRate!).toBeLessThan(14.4);
    expect(fast.firing).toBe(false);
    expect(medium.longRate!).toBeGreaterThan(1);
    expect(medium.firing).toBe(false); // 6 h: diluted below 6x
    // 3 d: 58.8 bad of 29 100 ≈ 0.4x, although the 6 h short window is above 1x — no ticket yet.
    expect(slow.shortRate!).toBeGreaterThan(1);
    expect(slow.longRate!).toBeCloseTo(((28_800 * 0.001 + 30) / 29_100) / 0.005, 1);
    expect(slow.firing).toBe(false);
    // Ten more minutes: the 1 h window crosses 14.4x too.
    for (let m = 30; m < 60; m++) for (let i = 0; i < 10; i++) burn.record('r', calm + m * 60_000, i === 0, false);
    const [fast2] = burn.evaluate('r', 'availability', 99.5, DEFAULT_BURN_RATE_PAIRS, 1, calm + 59 * 60_000);
    expect(fast2.longRate!).toBeGreaterThan(14.4);
    expect(fast2.firing).toBe(true);
  });

  it('the short window resets the alert quickly after recovery', () => {
    const burn = new BurnRateTracker();
    for (let m = 0; m < 60; m++) for (let i = 0; i < 10; i++) burn.record('r', t0 + m * 60_000, i < 5, false);
    expect(burn.evaluate('r', 'availability', 99.5, DEFAULT_BURN_RATE_PAIRS, 1, t0 + 59 * 60_000)[0].firing).toBe(true);
    for (let m = 60; m < 66; m++) for (let i = 0; i < 10; i++) burn.record('r', t0 + m * 60_000, false, false);
    const [fast] = burn.evaluate('r', 'availability', 99.5, DEFAULT_BURN_RATE_PAIRS, 1, t0 + 65 * 60_000);
    expect(fast.longRate!).toBeGreaterThan(14.4); // the hour still remembers
    expect(fast.shortRate!).toBe(0);
    expect(fast.firing).toBe(false);
  });

  it('latency budget counts slow requests', () => {
    const burn = new BurnRateTracker();
    for (let i = 0; i < 100; i++) burn.record('r', t0, false, i < 30);
    expect(burn.rate('r', 'latency', 95, HOUR, t0).rate).toBeCloseTo(6, 10);
    expect(burn.rate('r', 'availability', 95, HOUR, t0).rate).toBe(0);
    expect(burn.rate('nope', 'latency', 95, HOUR, t0)).toEqual({ rate: null, requests: 0 });
  });
});
