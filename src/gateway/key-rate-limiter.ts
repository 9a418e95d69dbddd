import type { Clock } from '../core/clock.js';
import { rateLimiter, type RateLimiterPolicy } from '../core/rate-limiter.js';
import type { KeyGrant } from './auth.js';

const NOOP = () => undefined;

/**
 * Per-key RPM limits (`auth.keys[].rpm`), one core token bucket per key: a bucket holds a
 * minute's worth of requests and refills at `rpm / 60` per second. A request without a token is
 * rejected at once with `RateLimitedError` (429 with Retry-After at the edge), never queued.
 */
export class KeyRateLimiter {
  private readonly buckets: Array<RateLimiterPolicy | undefined>;

  constructor(keyCount: number, private readonly clock: Clock) {
    this.buckets = new Array(keyCount);
  }

  /** Takes one request from `grant`'s budget; rejects with RateLimitedError when it is spent. */
  acquire(grant: KeyGrant): Promise<unknown> {
    if (grant.rpm === undefined) return Promise.resolve();
    let bucket = this.buckets[grant.index];
    if (!bucket) {
      bucket = rateLimiter({ ratePerSecond: grant.rpm / 60, burst: grant.rpm, maxWaitMs: 0, clock: this.clock });
      this.buckets[grant.index] = bucket;
    }
    return bucket.execute(NOOP);
  }
}
