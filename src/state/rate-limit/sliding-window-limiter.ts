/** The verdict of one {@link SlidingWindowLimiter.take}. */
export interface WindowDecision {
  /** True when the units were taken. */
  readonly allowed: boolean;
  /** Units used in the window after this call (not counting refused units). */
  readonly used: number;
  /** When refused: ms until enough units leave the window (0 when allowed). */
  readonly retryAfterMs: number;
}

/**
 * Global limits over a sliding window (RPM, TPM…): "at most `limit` units in any `windowMs`".
 * Exact, not approximated: every taken unit is logged with its time and leaves the window
 * `windowMs` later, so a limit of N per minute admits N, never N plus a boundary burst.
 * Implementations: {@link MemorySlidingWindowLimiter} (one process) and
 * {@link RedisSlidingWindowLimiter} (every replica, atomic through a Lua script); the contract
 * suite in `sliding-window.contract.ts` runs against both.
 *
 * @example
 * const d = await limiter.take(`key:${tenant}:rpm`, 1, 600, 60_000);
 * if (!d.allowed) throw new RateLimitedError(d.retryAfterMs);
 */
export interface SlidingWindowLimiter {
  /**
   * Takes `cost` units under `key` if the last `windowMs` hold at most `limit - cost` units;
   * otherwise takes nothing. Atomic: concurrent callers never both take the last unit.
   */
  take(key: string, cost: number, limit: number, windowMs: number): Promise<WindowDecision>;
  /**
   * Adds `cost` units unconditionally (usage known only afterwards, e.g. tokens of an answer),
   * so that later `take`s see them. Resolves with the units now in the window.
   */
  record(key: string, cost: number, windowMs: number): Promise<number>;
  /** Units in the window now. */
  used(key: string, windowMs: number): Promise<number>;
}
