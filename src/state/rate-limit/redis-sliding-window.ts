import type { Result } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';
import { MemorySlidingWindowLimiter } from './memory-sliding-window.js';
import type { SlidingWindowLimiter, WindowDecision } from './sliding-window-limiter.js';

/**
 * Sliding-window log in a ZSET (score = time, member = `time:n:origin|cost`) plus the running sum
 * of costs in a string key, so a take is amortized O(1): entries that left the window are summed
 * once, when trimmed. KEYS: log, sum. ARGV: now, windowMs, limit (-1 = record without a check),
 * cost, member. Returns { allowed (0/1), used, retryAfterMs }.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local cutoff = now - window
local sum = tonumber(redis.call('GET', KEYS[2]) or '0')
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
if #old > 0 then
  for i = 1, #old do sum = sum - tonumber(string.match(old[i], '|(%d+)$')) end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if sum < 0 then sum = 0 end
end
if limit >= 0 and sum + cost > limit then
  local excess = sum + cost - limit
  local freed = 0
  local retry = window
  local head = redis.call('ZRANGE', KEYS[1], 0, 255, 'WITHSCORES')
  for i = 1, #head, 2 do
    freed = freed + tonumber(string.match(head[i], '|(%d+)$'))
    if freed >= excess then
      retry = tonumber(head[i + 1]) + window - now
      break
    end
  end
  if #old > 0 then redis.call('SET', KEYS[2], sum, 'PX', window) end
  if retry < 1 then retry = 1 end
  return { 0, sum, retry }
end
if cost > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  sum = sum + cost
end
redis.call('SET', KEYS[2], sum, 'PX', window)
redis.call('PEXPIRE', KEYS[1], window)
return { 1, sum, 0 }
`;

/** Options of {@link RedisSlidingWindowLimiter}. */
export interface RedisSlidingWindowOptions {
  /** Time of entries (default `systemClock`). Replicas' clocks must agree to within a small part of the window. */
  clock?: Clock;
  /**
   * Live replicas, used while Redis is down: each replica then enforces `limit / replicas` on its
   * own, so the cluster stays near the global limit (default 1: each replica enforces the whole limit).
   */
  replicas?: () => number;
}

/**
 * {@link SlidingWindowLimiter} shared by every replica through Redis: one Lua script per take,
 * so check-and-take is atomic across the cluster. Keys: `<prefix>{rl:<key>}` and
 * `<prefix>{rl:<key>}:sum` ({@link windowKeys}: one hash tag, so both are on one Redis Cluster slot).
 *
 * Redis trouble never fails a request: when a command fails or Redis is down, the verdict comes
 * from a local twin ({@link MemorySlidingWindowLimiter}) that mirrors this replica's own units,
 * with the limit divided by the number of live replicas. Units admitted that way are written to
 * Redis, with their own times, when it is back (up to {@link MAX_PENDING_UNITS} entries), so the
 * window after an outage still counts them.
 *
 * @example
 * const limiter = new RedisSlidingWindowLimiter(link, { replicas: () => registry.liveReplicas });
 * const { allowed, retryAfterMs } = await limiter.take('deployment:gpt-4o:rpm', 1, 3000, 60_000);
 */
/** Entries admitted locally during an outage that are kept for writing back (older ones are dropped). */
export const MAX_PENDING_UNITS = 10_000;

interface PendingUnits {
  key: string;
  cost: number;
  at: number;
  windowMs: number;
}

export class RedisSlidingWindowLimiter implements SlidingWindowLimiter {
  private readonly clock: Clock;
  private readonly local: MemorySlidingWindowLimiter;
  private readonly replicas: () => number;
  private readonly origin = randomBytes(6).toString('hex');
  private counter = 0;
  private pending: PendingUnits[] = [];

  constructor(private readonly link: RedisLink, options: RedisSlidingWindowOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.local = new MemorySlidingWindowLimiter({ clock: this.clock });
    this.replicas = options.replicas ?? (() => 1);
    if (typeof link.commands.bulwarkWindowTake !== 'function') {
      link.commands.defineCommand('bulwarkWindowTake', { numberOfKeys: 2, lua: TAKE_SCRIPT });
    }
    link.onRecovered(() => void this.writeBack());
  }

  async take(key: string, cost: number, limit: number, windowMs: number): Promise<WindowDecision> {
    // The script reads a negative limit as "record without a check": a take never means that.
    if (limit < 0) limit = 0;
    const reply = await this.run(key, cost, limit, windowMs);
    if (reply === UNAVAILABLE) {
      const share = limit === 0 ? 0 : Math.max(1, Math.floor(limit / Math.max(1, this.replicas())));
      const decision = this.local.takeNow(key, cost, share, windowMs);
      if (decision.allowed) this.remember(key, cost, windowMs);
      return decision;
    }
    const allowed = reply[0] === 1;
    if (allowed) void this.local.record(key, cost, windowMs);
    return { allowed, used: reply[1], retryAfterMs: reply[2] };
  }

  async record(key: string, cost: number, windowMs: number): Promise<number> {
    const local = await this.local.record(key, cost, windowMs);
    const reply = await this.run(key, cost, -1, windowMs);
    if (reply === UNAVAILABLE) this.remember(key, cost, windowMs);
    return reply === UNAVAILABLE ? local : reply[1];
  }

  async used(key: string, windowMs: number): Promise<number> {
    const reply = await this.run(key, 0, -1, windowMs);
    return reply === UNAVAILABLE ? this.local.used(key, windowMs) : reply[1];
  }

  /** Writes the units admitted during the outage into Redis, at the times they were taken. */
  async writeBack(): Promise<void> {
    const list = this.pending;
    this.pending = [];
    const now = this.clock.now();
    for (let i = 0; i < list.length; i++) {
      const u = list[i];
      if (u.at <= now - u.windowMs) continue; // already out of its window
      if ((await this.run(u.key, u.cost, -1, u.windowMs, u.at)) === UNAVAILABLE) {
        this.pending = list.slice(i).concat(this.pending); // down again: keep the rest for next time
        return;
      }
    }
  }

  private remember(key: string, cost: number, windowMs: number): void {
    if (cost === 0) return;
    if (this.pending.length >= MAX_PENDING_UNITS) this.pending.shift();
    this.pending.push({ key, cost, at: this.clock.now(), windowMs });
  }

  private run(key: string, cost: number, limit: number, windowMs: number, at?: number) {
    if (!Number.isInteger(cost) || cost < 0) return Promise.reject(new RangeError(`rate limit cost must be an integer >= 0 (got ${cost})`));
    const now = at ?? this.clock.now();
    const member = `${now}:${++this.counter}:${this.origin}|${cost}`;
    const keys = windowKeys(this.link.prefix, key);
    return this.link.call((r) => r.bulwarkWindowTake(keys.log, keys.sum, now, Math.ceil(windowMs), limit, cost, member));
  }
}

/**
 * The two keys of one window. Both carry the same hash tag `{rl:…}` — the prefix holds no brace
 * (validated), so whatever `key` holds, the first `{` and the first `}` after it sit at the same
 * place in both names and the tag is never empty — so the take script's two keys are always on
 * one Redis Cluster slot.
 */
export function windowKeys(prefix: string, key: string): { log: string; sum: string } {
  const log = `${prefix}{rl:${key}}`;
  return { log, sum: `${log}:sum` };
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkWindowTake(
      logKey: string, sumKey: string, now: number, windowMs: number, limit: number, cost: number, member: string,
    ): Result<[number, number, number], Context>;
  }
}
