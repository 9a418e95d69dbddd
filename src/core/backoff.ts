import { checkNumber } from './options.js';
import type { RandomSource } from './random.js';

/** Computes the delay before retry number `retry` (1 = the first retry). Built once, stateless. */
export interface Backoff {
  /**
   * @param retry 1-based retry number (attempt 2 is retry 1)
   * @param previousDelayMs the delay used before the previous retry (0 before the first)
   * @param random uniform [0, 1) source
   */
  delayMs(retry: number, previousDelayMs: number, random: RandomSource): number;
}

/** Default first delay of the exponential and decorrelated backoffs: 100 ms. */
export const BACKOFF_DEFAULT_INITIAL_DELAY_MS = 100;
/** Default growth factor of the exponential backoff: 2. */
export const BACKOFF_DEFAULT_MULTIPLIER = 2;
/** Default cap of a single backoff delay: 30 s. */
export const BACKOFF_DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * The same delay every time.
 *
 * @example retry({ backoff: constantBackoff(250) })
 */
export function constantBackoff(delayMs: number): Backoff {
  const delay = checkNumber('constantBackoff', 'delayMs', delayMs, 0);
  return Object.freeze({ delayMs: () => delay });
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Base delay. Default {@link BACKOFF_DEFAULT_INITIAL_DELAY_MS}. */
  initialDelayMs?: number;
  /** Growth per retry. Default {@link BACKOFF_DEFAULT_MULTIPLIER}. */
  multiplier?: number;
  /** Cap on the un-jittered delay. Default {@link BACKOFF_DEFAULT_MAX_DELAY_MS}. */
  maxDelayMs?: number;
  /** `'full'` (default): uniform in [0, capped exponential] — AWS "full jitter"; `'none'`: exact exponential. */
  jitter?: 'full' | 'none';
}

/**
 * `min(maxDelayMs, initialDelayMs * multiplier^(retry-1))`, with full jitter by default, which
 * spreads synchronized clients best (the AWS Architecture Blog's comparison).
 *
 * @example retry({ backoff: exponentialBackoff({ initialDelayMs: 200, jitter: 'full' }) })
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const initial = checkNumber('exponentialBackoff', 'initialDelayMs', options.initialDelayMs ?? BACKOFF_DEFAULT_INITIAL_DELAY_MS, 0);
  const multiplier = checkNumber('exponentialBackoff', 'multiplier', options.multiplier ?? BACKOFF_DEFAULT_MULTIPLIER, 1);
  const cap = checkNumber('exponentialBackoff', 'maxDelayMs', options.maxDelayMs ?? BACKOFF_DEFAULT_MAX_DELAY_MS, 0);
  const jitter = options.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'none') checkNumber('exponentialBackoff', 'jitter (full|none)', jitter, 0);
  return Object.freeze({
    delayMs(retry: number, _previous: number, random: RandomSource): number {
      const exact = Math.min(cap, initial * Math.pow(multiplier, retry - 1));
      return jitter === 'full' ? random() * exact : exact;
    },
  });
}

/** Options of {@link decorrelatedJitterBackoff}. */
export interface DecorrelatedJitterOptions {
  /** Lower bound and first delay. Default {@link BACKOFF_DEFAULT_INITIAL_DELAY_MS}. */
  initialDelayMs?: number;
  /** Cap. Default {@link BACKOFF_DEFAULT_MAX_DELAY_MS}. */
  maxDelayMs?: number;
}

/**
 * "Decorrelated jitter": each delay is uniform in [initial, 3 × previous], capped. Grows like an
 * exponential on average while keeping clients apart.
 *
 * @example retry({ backoff: decorrelatedJitterBackoff({ initialDelayMs: 100, maxDelayMs: 10_000 }) })
 */
export function decorrelatedJitterBackoff(options: DecorrelatedJitterOptions = {}): Backoff {
  const initial = checkNumber('decorrelatedJitterBackoff', 'initialDelayMs', options.initialDelayMs ?? BACKOFF_DEFAULT_INITIAL_DELAY_MS, 0);
  const cap = checkNumber('decorrelatedJitterBackoff', 'maxDelayMs', options.maxDelayMs ?? BACKOFF_DEFAULT_MAX_DELAY_MS, 0);
  return Object.freeze({
    delayMs(_retry: number, previousDelayMs: number, random: RandomSource): number {
      const upper = Math.max(initial, previousDelayMs * 3);
      return Math.min(cap, initial + random() * (upper - initial));
    },
  });
}
