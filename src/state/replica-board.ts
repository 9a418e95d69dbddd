import type { Result } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { DEFAULT_REPLICA_TTL_MS } from './defaults.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';

/** Largest report one replica may publish (bytes of JSON): a larger one is refused, not cut. */
export const MAX_REPLICA_REPORT_BYTES = 16 * 1024;
/** Most replicas kept on the board (the least recently heard from go first). */
export const MAX_BOARD_REPLICAS = 64;

/** One replica's last report on the board. */
export interface BoardEntry {
  readonly replica: string;
  /** When it published (its clock, ms). */
  readonly at: number;
  /** What it published (JSON text, at most {@link MAX_REPLICA_REPORT_BYTES}). */
  readonly report: string;
}

/**
 * A small board every replica writes its own report to and anyone reads (the dashboard's
 * per-replica view). Bounded: {@link MAX_REPLICA_REPORT_BYTES} per report, {@link MAX_BOARD_REPLICAS}
 * replicas; a replica not heard from for `replicaTtlMs` is removed (and left out of reads), and
 * the whole board expires when every replica is gone. The content is opaque here: the caller
 * decides what goes in (and keeps secrets out).
 */
export interface ReplicaBoard {
  /** Publishes `report` as `replica`'s; false when it was refused (too large) or Redis is unreachable. */
  publish(replica: string, report: string): Promise<boolean>;
  /** Every live replica's last report, most recent first; undefined while Redis is unreachable. */
  read(): Promise<BoardEntry[] | undefined>;
}

/** {@link ReplicaBoard} of one process (the memory backend: only this replica). */
export class MemoryReplicaBoard implements ReplicaBoard {
  private readonly entries = new Map<string, BoardEntry>();

  constructor(private readonly clock: Clock = systemClock, private readonly replicaTtlMs = DEFAULT_REPLICA_TTL_MS) {}

  async publish(replica: string, report: string): Promise<boolean> {
    if (Buffer.byteLength(report) > MAX_REPLICA_REPORT_BYTES) return false;
    this.entries.delete(replica);
    this.entries.set(replica, { replica, at: this.clock.now(), report });
    while (this.entries.size > MAX_BOARD_REPLICAS) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }

  async read(): Promise<BoardEntry[]> {
    const cutoff = this.clock.now() - this.replicaTtlMs;
    return [...this.entries.values()].filter((e) => e.at >= cutoff).sort((a, b) => b.at - a.at);
  }
}

// Two keys sharing a hash tag (one Cluster slot): `{dashboard}:seen`, a ZSET of replica → last
// publish time, and `{dashboard}:reports`, a HASH of replica → report. Publishing prunes the
// replicas not heard from within the TTL (and the oldest past the cap) from both, and refreshes
// both keys' expiry: when the last replica goes, the board goes too.

/** KEYS: seen, reports. ARGV: replica, report, now, ttlMs, maxReplicas. */
const PUBLISH_SCRIPT = `
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
for _, replica in ipairs(dead) do redis.call('HDEL', KEYS[2], replica) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if extra > 0 then
  for _, replica in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do redis.call('HDEL', KEYS[2], replica) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`;

/** {@link ReplicaBoard} in Redis, shared by every replica on the same prefix. Never rejects. */
export class RedisReplicaBoard implements ReplicaBoard {
  private readonly seenKey: string;
  private readonly reportsKey: string;
  private readonly clock: Clock;
  private readonly replicaTtlMs: number;

  constructor(private readonly link: RedisLink, options: { clock?: Clock; replicaTtlMs?: number } = {}) {
    this.seenKey = link.key('{dashboard}:seen');
    this.reportsKey = link.key('{dashboard}:reports');
    this.clock = options.clock ?? systemClock;
    this.replicaTtlMs = options.replicaTtlMs ?? DEFAULT_REPLICA_TTL_MS;
    if (typeof link.commands.bulwarkBoardPublish !== 'function') {
      link.commands.defineCommand('bulwarkBoardPublish', { numberOfKeys: 2, lua: PUBLISH_SCRIPT });
    }
  }

  async publish(replica: string, report: string): Promise<boolean> {
    if (Buffer.byteLength(report) > MAX_REPLICA_REPORT_BYTES) return false;
    const reply = await this.link.call((r) => r.bulwarkBoardPublish(this.seenKey, this.reportsKey, replica, report, this.clock.now(), this.replicaTtlMs, MAX_BOARD_REPLICAS));
    return reply === 1;
  }

  async read(): Promise<BoardEntry[] | undefined> {
    const cutoff = this.clock.now() - this.replicaTtlMs;
    const reply = await this.link.call((r) => r.multi().zrevrangebyscore(this.seenKey, '+inf', cutoff, 'WITHSCORES').hgetall(this.reportsKey).exec());
    if (reply === UNAVAILABLE || !reply) return undefined;
    const [[seenError, seen], [reportsError, reports]] = reply as [[Error | null, string[]], [Error | null, Record<string, string>]];
    if (seenError || reportsError) return undefined;
    const entries: BoardEntry[] = [];
    for (let i = 0; i + 1 < seen.length; i += 2) {
      const replica = seen[i]!;
      const report = reports[replica];
      if (report !== undefined) entries.push({ replica, at: Number(seen[i + 1]), report });
    }
    return entries;
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkBoardPublish(seenKey: string, reportsKey: string, replica: string, report: string, now: number, ttlMs: number, maxReplicas: number): Result<number, Context>;
  }
}
