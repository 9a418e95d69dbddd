import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { DEFAULT_REPLICA_TTL_MS } from './defaults.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';

/** One deployment as one replica sees it. */
export interface ReplicaDeploymentHealth {
  readonly id: string;
  readonly breaker: string;
  /** Ejected by this replica's outlier detection (ejections are per replica: see README "Scale-out"). */
  readonly ejected: boolean;
  readonly available: boolean;
  readonly lastErrorKind?: string;
}

/** What one replica published, and when. */
export interface ReplicaHealth {
  readonly at: number;
  readonly deployments: readonly ReplicaDeploymentHealth[];
}

/**
 * The cluster's view of deployment health: every replica publishes what it sees (breaker,
 * ejection, availability per deployment) and anyone can read all of it — so an operator sees
 * that replica B ejected a host that replica A still uses, even though ejections themselves are
 * not shared. Entries older than `replicaTtlMs` (a replica that went away) are left out.
 * Redis: hash `<prefix>health`, one field per replica; memory: this process only.
 */
export interface ClusterHealthBoard {
  publish(replicaId: string, health: ReplicaHealth): Promise<void>;
  /** Every live replica's last report; the local one only while Redis is unreachable. */
  read(): Promise<Record<string, ReplicaHealth>>;
}

/** {@link ClusterHealthBoard} of one process. */
export class MemoryClusterHealthBoard implements ClusterHealthBoard {
  private readonly entries = new Map<string, ReplicaHealth>();

  async publish(replicaId: string, health: ReplicaHealth): Promise<void> {
    this.entries.set(replicaId, health);
  }

  async read(): Promise<Record<string, ReplicaHealth>> {
    return Object.fromEntries(this.entries);
  }
}

/** {@link ClusterHealthBoard} in Redis (see the interface). Never rejects. */
export class RedisClusterHealthBoard implements ClusterHealthBoard {
  private readonly key: string;
  private readonly local = new MemoryClusterHealthBoard();
  private readonly clock: Clock;
  private readonly replicaTtlMs: number;

  constructor(private readonly link: RedisLink, options: { clock?: Clock; replicaTtlMs?: number } = {}) {
    this.key = link.key('health');
    this.clock = options.clock ?? systemClock;
    this.replicaTtlMs = options.replicaTtlMs ?? DEFAULT_REPLICA_TTL_MS;
  }

  async publish(replicaId: string, health: ReplicaHealth): Promise<void> {
    await this.local.publish(replicaId, health);
    await this.link.call((r) => r.multi().hset(this.key, replicaId, JSON.stringify(health)).pexpire(this.key, this.replicaTtlMs * 10).exec());
  }

  async read(): Promise<Record<string, ReplicaHealth>> {
    const cutoff = this.clock.now() - this.replicaTtlMs;
    const all = await this.link.call((r) => r.hgetall(this.key));
    const out: Record<string, ReplicaHealth> = {};
    if (all === UNAVAILABLE) {
      for (const [replica, health] of Object.entries(await this.local.read())) if (health.at >= cutoff) out[replica] = health;
      return out;
    }
    for (const [replica, json] of Object.entries(all)) {
      try {
        const health = JSON.parse(json) as ReplicaHealth;
        if (typeof health.at === 'number' && health.at >= cutoff && Array.isArray(health.deployments)) out[replica] = health;
      } catch {
        // A malformed entry is skipped; its replica will overwrite it on its next report.
      }
    }
    return out;
  }

}
