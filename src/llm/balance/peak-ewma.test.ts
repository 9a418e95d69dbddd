import { describe, expect, it } from 'vitest';
import { PeakEwma } from './peak-ewma.js';

describe('PeakEwma', () => {
  it('starts at the initial estimate and takes the first sample as is', () => {
    const ewma = new PeakEwma(10_000, 1_000);
    expect(ewma.estimate(0, 0)).toBe(1_000);
    ewma.observe(0, 100);
    expect(ewma.estimate(0, 0)).toBe(100);
  });

  it('jumps to a spike at once, then decays back toward the normal latency', () => {
    const ewma = new PeakEwma(10_000, 1_000);
    let now = 0;
    for (let i = 0; i < 100; i++) ewma.observe((now += 100), 100);
    expect(ewma.lastValue).toBeCloseTo(100, 6);
    ewma.observe((now += 100), 2_000);
    expect(ewma.lastValue).toBe(2_000); // peak: no averaging on the way up
    // After one decay time (10 s) of normal samples, the spike's weight is ~1/e.
    for (let i = 0; i < 100; i++) ewma.observe((now += 100), 100);
    expect(ewma.lastValue).toBeGreaterThan(100 + 1_900 * Math.exp(-1) * 0.95);
    expect(ewma.lastValue).toBeLessThan(100 + 1_900 * Math.exp(-1) * 1.05);
    // After five decay times it is back within 2% of the spike.
    for (let i = 0; i < 400; i++) ewma.observe((now += 100), 100);
    expect(ewma.lastValue).toBeLessThan(100 + 1_900 * 0.02);
  });

  it('samples in the same millisecond do not move a higher estimate down', () => {
    const ewma = new PeakEwma(10_000, 1_000);
    ewma.observe(0, 500);
    ewma.observe(0, 10);
    expect(ewma.lastValue).toBe(500);
  });

  it('decays toward 0 only while idle', () => {
    const ewma = new PeakEwma(10_000, 1_000);
    ewma.observe(0, 1_000);
    expect(ewma.estimate(10_000, 1)).toBe(1_000);
    expect(ewma.estimate(10_000, 0)).toBeCloseTo(1_000 * Math.exp(-1), 6);
  });
});
