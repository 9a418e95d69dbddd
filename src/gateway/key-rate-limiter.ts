import type { Clock } from '../core/clock.js';
import { rateLimiter, type RateLimiterPolicy } from '../core/rate-limiter.js';
import type { KeyGrant } from './auth.js';

const NOOP = () => undefined;

/**
 * Per-key RPM limits (`auth.keys[].rpm`), one core token bucket per key: a bucket holds a
 * minute's worth of requests and refills at `rpm / 60` per second. A request without a token is
 * rejected at once with `RateLimitedError` (429 with Retry-After at the edge), never queued.
 * Buckets are named by the key's digest and RPM, and a reload hands them to the next limiter
 * (`previous`), so a SIGHUP refills no budget, wherever the key moved in `auth.keys`.
 */
export class KeyRateLimiter {
  private readonly names: string[];
  private readonly buckets: Map<string, RateLimiterPolicy>;

  constructor(digests: readonly string[], private readonly clock: Clock, previous?: KeyRateLimiter) {
    this.names = digests.map((digest) => digest.slice(0, 16));
    this.buckets = previous?.buckets ?? new Map();
  }

  /** Takes one request from `grant`'s budget; rejects with RateLimitedError when it is spent. */
  acquire(grant: KeyGrant): Promise<unknown> {
    if (grant.rpm === undefined) return Promise.resolve();
    const name = `${this.names[grant.index]}:${grant.rpm}`;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = rateLimiter({ ratePerSecond: grant.rpm / 60, burst: grant.rpm, maxWaitMs: 0, clock: this.clock });
      this.buckets.set(name, bucket);
    }
    return bucket.execute(NOOP);
  }
}
