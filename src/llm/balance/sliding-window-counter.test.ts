import { describe, expect, it } from 'vitest';
import { SlidingWindowCounter } from './sliding-window-counter.js';

describe('SlidingWindowCounter', () => {
  it('sums what was added in the last window and forgets older buckets', () => {
    const counter = new SlidingWindowCounter(60_000, 1_000);
    counter.add(0, 5);
    counter.add(30_500, 3);
    expect(counter.total(59_999)).toBe(8);
    expect(counter.total(60_000)).toBe(3); // bucket 0 left the window
    expect(counter.total(89_999)).toBe(3);
    expect(counter.total(90_000)).toBe(0); // bucket 30 (30.0–31.0 s) left the window
  });

  it('clears everything after a gap longer than the window', () => {
    const counter = new SlidingWindowCounter(60_000, 1_000);
    for (let t = 0; t < 60_000; t += 1_000) counter.add(t, 1);
    expect(counter.total(59_000)).toBe(60);
    expect(counter.total(500_000)).toBe(0);
    counter.add(500_000, 2);
    expect(counter.total(500_001)).toBe(2);
  });

  it('ignores time going backwards (counts into the newest bucket)', () => {
    const counter = new SlidingWindowCounter(60_000, 1_000);
    counter.add(10_000, 1);
    counter.add(5_000, 1);
    expect(counter.total(10_000)).toBe(2);
  });
});
