/**
 * Amounts counted per fixed window of time (e.g. a tenant's tokens per UTC day): window `i` of
 * `windowMs` covers `[i × windowMs, (i + 1) × windowMs)` of the epoch, so every replica agrees on
 * where a day starts. Implemented in memory and on Redis (`INCRBY` with an expiry); both pass
 * `window-counter.contract.ts`. No method throws: an unreachable store answers from this
 * replica's own count.
 */
export interface WindowCounter {
  /** Adds `amount` to `key`'s current window; resolves with the window's total. */
  add(key: string, amount: number, windowMs: number): Promise<number>;
  /** `key`'s total in the current window. */
  used(key: string, windowMs: number): Promise<number>;
}

/** Ms until the current window of `windowMs` ends. */
export function msUntilWindowEnds(now: number, windowMs: number): number {
  return windowMs - (now % windowMs);
}
