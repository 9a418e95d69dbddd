import type { Result } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { ProbeGate } from '../../core/circuit-breaker/probe-gate.js';
import { DEFAULT_PROBE_PERMIT_TTL_MS } from '../defaults.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';

/**
 * Permits as a ZSET of holders scored by their expiry: expired holders are dropped first, so a
 * replica that died holding a permit blocks probing for at most the TTL.
 * KEYS: permits. ARGV: now, ttlMs, maxCalls, token. Returns 1 (granted) or 0.
 */
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Marks a permit granted locally while Redis was unreachable (nothing to release remotely). */
const LOCAL_GRANT = '';

/** Options of {@link RedisProbeGate}. */
export interface RedisProbeGateOptions {
  /** A permit whose holder never releases it expires after this long, ms (default 30 000). */
  permitTtlMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/**
 * Cluster-wide half-open probe permits ({@link ProbeGate}) in Redis: across every replica, at
 * most `halfOpenMaxCalls` probes of a breaker run at once. Key `<prefix>probe:<name>`.
 * While Redis is unreachable every probe is granted here, so each replica's own
 * `halfOpenMaxCalls` applies (a recovering dependency may then see one probe per replica).
 *
 * @example new CircuitBreaker({ name: 'gpt-4o', store, probeGate: new RedisProbeGate(link) })
 */
export class RedisProbeGate implements ProbeGate {
  private readonly tokens = new Map<string, string[]>();
  private readonly origin = randomBytes(6).toString('hex');
  private counter = 0;
  private readonly permitTtlMs: number;
  private readonly clock: Clock;

  constructor(private readonly link: RedisLink, options: RedisProbeGateOptions = {}) {
    this.permitTtlMs = options.permitTtlMs ?? DEFAULT_PROBE_PERMIT_TTL_MS;
    this.clock = options.clock ?? systemClock;
    if (typeof link.commands.bulwarkProbeAcquire !== 'function') {
      link.commands.defineCommand('bulwarkProbeAcquire', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    }
  }

  async acquire(name: string, maxCalls: number): Promise<boolean> {
    const token = `${this.origin}:${++this.counter}`;
    const granted = await this.link.call((r) => r.bulwarkProbeAcquire(this.link.key(`probe:${name}`), this.clock.now(), this.permitTtlMs, maxCalls, token));
    if (granted === 0) return false;
    this.held(name).push(granted === UNAVAILABLE ? LOCAL_GRANT : token);
    return true;
  }

  release(name: string): void {
    const token = this.tokens.get(name)?.shift();
    if (token === undefined || token === LOCAL_GRANT) return;
    void this.link.call((r) => r.zrem(this.link.key(`probe:${name}`), token));
  }

  private held(name: string): string[] {
    let list = this.tokens.get(name);
    if (!list) this.tokens.set(name, (list = []));
    return list;
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkProbeAcquire(key: string, now: number, ttlMs: number, maxCalls: number, token: string): Result<number, Context>;
  }
}
