import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { sampleLatencyMs } from './latency.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe('mock latency', () => {
  it('fixed is fixed; uniform stays within bounds', () => {
    const random = seededRandom(7);
    expect(sampleLatencyMs({ kind: 'fixed', ms: 42 }, random)).toBe(42);
    for (let i = 0; i < 1000; i++) {
      const ms = sampleLatencyMs({ kind: 'uniform', minMs: 10, maxMs: 20 }, random);
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThan(20);
    }
  });

  it('log-normal matches the given p50 and p99', () => {
    const random = seededRandom(11);
    const spec = { kind: 'lognormal', p50Ms: 100, p99Ms: 1000 } as const;
    const samples = Array.from({ length: 50_000 }, () => sampleLatencyMs(spec, random)).sort((a, b) => a - b);
    expect(quantile(samples, 0.5)).toBeGreaterThan(95);
    expect(quantile(samples, 0.5)).toBeLessThan(105);
    expect(quantile(samples, 0.99)).toBeGreaterThan(900);
    expect(quantile(samples, 0.99)).toBeLessThan(1100);
  });

  it('replays exactly from the same seed', () => {
    const spec = { kind: 'lognormal', p50Ms: 50, p99Ms: 500 } as const;
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => sampleLatencyMs(spec, random));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });
});
