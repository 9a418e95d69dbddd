/** A source of uniform numbers in [0, 1). Jitter and chaos injection take one, so tests are deterministic. */
export type RandomSource = () => number;

/** The default random source. */
export const defaultRandom: RandomSource = Math.random;

/**
 * A small, fast seeded generator (mulberry32) for reproducible tests and simulations.
 *
 * @example const random = seededRandom(42); random(); // 0.6011037519201636
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
