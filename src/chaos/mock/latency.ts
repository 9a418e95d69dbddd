/**
 * Latency sampling for the mock provider: fixed, uniform, or log-normal fitted to p50/p99.
 * Randomness comes from the injected source, so a seeded run replays the same delays.
 */
import type { RandomSource } from '../../core/random.js';
import type { LatencySpec } from './profile.js';

/** z-score of the 99th percentile of the standard normal distribution. */
export const Z_P99 = 2.3263478740408408;

/** A standard normal variate (Box–Muller), from two uniform draws. */
export function standardNormal(random: RandomSource): number {
  const u1 = 1 - random(); // (0, 1]: log(0) is avoided
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Draws one latency in ms from `spec`. Log-normal: median `p50Ms`, σ chosen so that the 99th
 * percentile is `p99Ms`.
 *
 * @example sampleLatencyMs({ kind: 'uniform', minMs: 10, maxMs: 20 }, seededRandom(1)); // 10..20
 */
export function sampleLatencyMs(spec: LatencySpec, random: RandomSource): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * random();
    case 'lognormal': {
      const mu = Math.log(spec.p50Ms);
      const sigma = (Math.log(spec.p99Ms) - mu) / Z_P99;
      return Math.exp(mu + sigma * standardNormal(random));
    }
  }
}
