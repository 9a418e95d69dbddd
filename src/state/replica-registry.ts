import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_REPLICA_TTL_MS } from './defaults.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';

/** Options of {@link ReplicaRegistry}. */
export interface ReplicaRegistryOptions {
  /** This replica's id (unique in the cluster). */
  id: string;
  /** Heartbeat period, ms (default 2000). */
  heartbeatIntervalMs?: number;
  /** A replica silent for this long is no longer counted, ms (default 6000). */
  replicaTtlMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/**
 * Which replicas are alive: each one scores itself with the time of its last heartbeat in the
 * ZSET `<prefix>replicas`. The count is what limiters divide global limits by while Redis is
 * down (the last count seen before Redis went away; at least 1).
 *
 * @example const registry = new ReplicaRegistry(link, { id: hostname() }); registry.start();
 */
export class ReplicaRegistry {
  readonly id: string;
  private readonly heartbeatIntervalMs: number;
  private readonly replicaTtlMs: number;
  private readonly clock: Clock;
  private readonly key: string;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private count = 1;

  constructor(private readonly link: RedisLink, options: ReplicaRegistryOptions) {
    this.id = options.id;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.replicaTtlMs = options.replicaTtlMs ?? DEFAULT_REPLICA_TTL_MS;
    this.clock = options.clock ?? systemClock;
    this.key = link.key('replicas');
  }

  /** Live replicas as last seen (this one included). */
  get live(): number {
    return this.count;
  }

  /** Beats once now and then every `heartbeatIntervalMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /** One heartbeat: announce this replica, forget silent ones, count the rest. */
  async beat(): Promise<void> {
    const now = this.clock.now();
    const reply = await this.link.call((r) => r.multi()
      .zadd(this.key, now, this.id)
      .zremrangebyscore(this.key, '-inf', now - this.replicaTtlMs)
      .zcard(this.key)
      .pexpire(this.key, this.replicaTtlMs * 2)
      .exec());
    if (reply === UNAVAILABLE || !reply) return;
    const [error, count] = reply[2] ?? [];
    if (!error && typeof count === 'number') this.count = Math.max(1, count);
  }

  /** Stops beating and leaves the registry (best effort). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await this.link.call((r) => r.zrem(this.key, this.id));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.beat().finally(() => this.schedule());
    }, this.heartbeatIntervalMs);
  }
}
