import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { COARSE_TIME_RESOLUTION_MS, CoarseTime, coarseTimeFor } from './coarse-time.js';
import { FakeClock } from './fake-clock.js';

describe('CoarseTime', () => {
  it('pins its resolution', () => {
    expect(COARSE_TIME_RESOLUTION_MS).toBe(10);
  });

  it('is never ahead of the clock and at most one resolution behind while read', async () => {
    const clock = new FakeClock();
    const time = new CoarseTime(clock, 10);
    const start = clock.now();
    expect(time.now()).toBe(start);
    for (let step = 1; step <= 50; step++) {
      await clock.advance(1);
      const t = time.now();
      expect(t).toBeLessThanOrEqual(clock.now());
      expect(clock.now() - t).toBeLessThan(10);
    }
  });

  it('stops ticking when nobody reads, and restarts exact on the next read', async () => {
    const clock = new FakeClock();
    const time = new CoarseTime(clock, 10);
    time.now();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(10); // read since start: ticks once more
    await clock.advance(10); // no read in that period: stops
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(time.now()).toBe(clock.now());
  });

  it('is used for the system clock only; other clocks stay exact', () => {
    const fake = new FakeClock();
    expect(coarseTimeFor(fake)).toBe(fake);
    expect(coarseTimeFor(systemClock)).not.toBe(systemClock);
    const t = coarseTimeFor(systemClock).now();
    expect(Math.abs(Date.now() - t)).toBeLessThan(1_000);
  });
});
