import type { Result } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';
import type { AlertLedger } from './alert-ledger.js';

// One incident = two keys sharing a hash tag (one Cluster slot): `{alert:<id>}:holders`, a ZSET
// of replica → hold expiry, and `{alert:<id>}:repeat`, the time of the last repeat sent.
// Both expire with the longest hold, so an incident whose replicas all died is forgotten.

/** KEYS: holders, repeat. ARGV: op (fire|hold|repeat|resolve), replica, now, holdMs or intervalMs. Returns 1 to send. */
const LEDGER_SCRIPT = `
local op = ARGV[1]
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = redis.call('ZCARD', KEYS[1])
if op == 'fire' or op == 'hold' then
  local hold = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[1], now + hold, ARGV[2])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < hold then redis.call('PEXPIRE', KEYS[1], hold) end
  if live == 0 then
    redis.call('SET', KEYS[2], now, 'PX', hold)
    if op == 'fire' then return 1 end
  else
    redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
  end
  return 0
end
if op == 'repeat' then
  if live == 0 then return 0 end
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if now - last < tonumber(ARGV[4]) then return 0 end
  redis.call('SET', KEYS[2], now, 'PX', math.max(1, redis.call('PTTL', KEYS[1])))
  return 1
end
-- resolve
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return 0 end
if live > 1 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;

/**
 * {@link AlertLedger} shared by every replica through Redis (one Lua script per decision, so
 * two replicas seeing the same incident at the same moment still send it once). Replicas' clocks
 * must agree to within a small part of the hold. Redis trouble answers "send" (a duplicate beats
 * a lost notification) and `hold` does nothing.
 *
 * @example const ledger = new RedisAlertLedger(link, { clock }); if (await ledger.resolve(id, replica)) send(resolved);
 */
export class RedisAlertLedger implements AlertLedger {
  private readonly clock: Clock;

  constructor(private readonly link: RedisLink, options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    if (typeof link.commands.bulwarkAlertLedger !== 'function') {
      link.commands.defineCommand('bulwarkAlertLedger', { numberOfKeys: 2, lua: LEDGER_SCRIPT });
    }
  }

  fire(id: string, replica: string, holdMs: number): Promise<boolean> {
    return this.run('fire', id, replica, holdMs);
  }

  async hold(id: string, replica: string, holdMs: number): Promise<void> {
    await this.run('hold', id, replica, holdMs);
  }

  repeat(id: string, intervalMs: number): Promise<boolean> {
    return this.run('repeat', id, '', intervalMs);
  }

  resolve(id: string, replica: string): Promise<boolean> {
    return this.run('resolve', id, replica, 0);
  }

  private async run(op: string, id: string, replica: string, ms: number): Promise<boolean> {
    const tag = this.link.key(`{alert:${id}}`);
    const reply = await this.link.call((r) => r.bulwarkAlertLedger(`${tag}:holders`, `${tag}:repeat`, op, replica, this.clock.now(), Math.ceil(ms)));
    return reply === UNAVAILABLE ? true : reply === 1;
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkAlertLedger(holdersKey: string, repeatKey: string, op: string, replica: string, now: number, ms: number): Result<number, Context>;
  }
}
