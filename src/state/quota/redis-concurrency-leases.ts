import type { Result } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';
import type { ConcurrencyLeases } from './concurrency-leases.js';
import { MemoryConcurrencyLeases } from './memory-concurrency-leases.js';

/** KEYS: the lease ZSET (member = holder, score = expiry). ARGV: now, limit, expiry, holder, leaseMs. Returns 1 when taken. */
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return 1
`;

/**
 * {@link ConcurrencyLeases} shared by every replica through Redis: one ZSET per key
 * (`<prefix>lease:{<key>}`), member = holder, score = lease expiry; acquire is one Lua script
 * (trim expired, count, add), so N replicas together hold at most `limit`. While Redis is
 * unreachable a replica decides on a local twin with `limit / live replicas` (at least 1).
 * Replicas' clocks must agree to within a small part of the lease.
 *
 * @example const leases = new RedisConcurrencyLeases(link, { clock, replicas: () => registry.live });
 */
export class RedisConcurrencyLeases implements ConcurrencyLeases {
  private readonly clock: Clock;
  private readonly local: MemoryConcurrencyLeases;
  private readonly replicas: () => number;

  constructor(private readonly link: RedisLink, options: { clock?: Clock; replicas?: () => number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.local = new MemoryConcurrencyLeases({ clock: this.clock });
    this.replicas = options.replicas ?? (() => 1);
    if (typeof link.commands.bulwarkLeaseAcquire !== 'function') {
      link.commands.defineCommand('bulwarkLeaseAcquire', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    }
  }

  async acquire(key: string, holder: string, limit: number, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    const reply = await this.link.call((r) => r.bulwarkLeaseAcquire(this.keyOf(key), now, limit, now + leaseMs, holder, Math.ceil(leaseMs)));
    if (reply === UNAVAILABLE) return this.local.acquireNow(key, holder, Math.max(1, Math.floor(limit / Math.max(1, this.replicas()))), leaseMs);
    return reply === 1;
  }

  async release(key: string, holder: string): Promise<void> {
    this.local.releaseNow(key, holder);
    await this.link.call((r) => r.zrem(this.keyOf(key), holder));
  }

  async renew(key: string, holders: readonly string[], leaseMs: number): Promise<void> {
    if (holders.length === 0) return;
    await this.local.renew(key, holders, leaseMs);
    const until = this.clock.now() + leaseMs;
    const args: Array<string | number> = [];
    for (const holder of holders) args.push(until, holder);
    const name = this.keyOf(key);
    await this.link.call((r) => r.multi().zadd(name, 'XX', ...args).pexpire(name, Math.ceil(leaseMs)).exec());
  }

  private keyOf(key: string): string {
    return this.link.key(`lease:{${key}}`);
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkLeaseAcquire(key: string, now: number, limit: number, expiry: number, holder: string, leaseMs: number): Result<number, Context>;
  }
}
