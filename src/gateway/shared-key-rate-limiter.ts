import { RateLimitedError } from '../core/errors.js';
import type { SlidingWindowLimiter } from '../state/rate-limit/sliding-window-limiter.js';
import type { KeyGrant } from './auth.js';

const MINUTE_MS = 60_000;

/**
 * Per-key RPM (`auth.keys[].rpm`) enforced across every replica: one sliding one-minute window
 * per key in the shared state (Redis with several replicas), so N replicas together admit the
 * key's RPM, not N times it. Keys are named by a prefix of the key's configured sha256 digest —
 * never the key. Same surface as the per-process {@link KeyRateLimiter}.
 *
 * @example new SharedKeyRateLimiter(config.auth.keys.map((k) => k.sha256), state.limiter)
 */
export class SharedKeyRateLimiter {
  private readonly names: string[];

  constructor(digests: readonly string[], private readonly limiter: SlidingWindowLimiter) {
    this.names = digests.map((digest) => `key:${digest.slice(0, 16)}:rpm`);
  }

  /** Takes one request from `grant`'s budget; rejects with RateLimitedError (429 + Retry-After) when it is spent. */
  async acquire(grant: KeyGrant): Promise<unknown> {
    if (grant.rpm === undefined) return undefined;
    const decision = await this.limiter.take(this.names[grant.index], 1, grant.rpm, MINUTE_MS);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
    return undefined;
  }
}
