import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { EventEmitter, type Disposable, type Event } from '../core/events.js';
import type { ProbeGate } from '../core/circuit-breaker/probe-gate.js';
import { MemoryBreakerStateStore, type BreakerStateStore } from '../core/circuit-breaker/store.js';
import type { AlertLedger } from './alerts/alert-ledger.js';
import { MemoryAlertLedger } from './alerts/memory-alert-ledger.js';
import { RedisAlertLedger } from './alerts/redis-alert-ledger.js';
import type { CacheStore } from './cache/cache-store.js';
import type { ConcurrencyLeases } from './quota/concurrency-leases.js';
import { MemoryConcurrencyLeases } from './quota/memory-concurrency-leases.js';
import { MemoryWindowCounter } from './quota/memory-window-counter.js';
import { RedisConcurrencyLeases } from './quota/redis-concurrency-leases.js';
import { RedisWindowCounter } from './quota/redis-window-counter.js';
import type { WindowCounter } from './quota/window-counter.js';
import { LocalProbeGate } from './breaker/local-probe-gate.js';
import { RedisBreakerStateStore } from './breaker/redis-breaker-store.js';
import { RedisProbeGate } from './breaker/redis-probe-gate.js';
import { RedisCacheStore } from './cache/redis-cache-store.js';
import { MemoryClusterHealthBoard, RedisClusterHealthBoard, type ClusterHealthBoard } from './cluster-health.js';
import { MemorySlidingWindowLimiter } from './rate-limit/memory-sliding-window.js';
import { RedisSlidingWindowLimiter } from './rate-limit/redis-sliding-window.js';
import type { SlidingWindowLimiter } from './rate-limit/sliding-window-limiter.js';
import { RedisLink, type RedisLinkOptions } from './redis-link.js';
import { MemoryReplicaBoard, RedisReplicaBoard, type ReplicaBoard } from './replica-board.js';
import { ReplicaRegistry } from './replica-registry.js';
import type { StateBackendStatus, StateStatusEvent } from './state-status.js';

/** The `state:` section of the gateway config. No `redis` → everything in this process's memory. */
export interface SharedStateConfig {
  redis?: Omit<RedisLinkOptions, 'clock'>;
}

/** What {@link createSharedState} needs besides the config. */
export interface SharedStateDeps {
  clock?: Clock;
  /** This replica's id (default `<hostname>-<pid>-<random>`). */
  replicaId?: string;
  /** Builds the bounded local copy of the response cache kept beside Redis (required for Redis). */
  localCache?: () => CacheStore;
}

/**
 * Everything replicas share, behind one object: breaker states, half-open probe permits, global
 * sliding-window limits and the response cache. The memory backend (the embedded default, no
 * setup) shares them between the breakers and routers of one process; the Redis backend between
 * every replica pointed at the same Redis and key prefix. Either way nothing here fails a request:
 * Redis trouble means local decisions, an alert ({@link onStatus} `down`), and a resync when it
 * comes back.
 *
 * @example
 * const state = await createSharedState({ redis: { url: 'redis://redis:6379' } }, { localCache: () => new MemoryCacheStore() });
 * const router = createRouter(config, { breakerStore: state.breakerStore, probeGate: state.probeGate, cacheStore: state.cacheStore });
 */
export interface SharedState {
  readonly backend: 'memory' | 'redis';
  readonly replicaId: string;
  readonly breakerStore: BreakerStateStore;
  readonly probeGate: ProbeGate;
  readonly limiter: SlidingWindowLimiter;
  /** The shared response cache; undefined with the memory backend (the router's own LRU is used). */
  readonly cacheStore: CacheStore | undefined;
  /** What every replica reports about its deployments (breaker, ejection), readable by all. */
  readonly healthBoard: ClusterHealthBoard;
  /** Each replica's dashboard report (its requests, errors, latency, breakers), readable by all. */
  readonly replicaBoard: ReplicaBoard;
  /** Who sends each alert notification, so the cluster sends one per incident (not one per replica). */
  readonly alertLedger: AlertLedger;
  /** Counted slots (tenants' concurrency quotas) held across replicas. */
  readonly leases: ConcurrencyLeases;
  /** Totals per fixed window (tenants' tokens per day). */
  readonly windowCounter: WindowCounter;
  /** `up`, or `down` while Redis is unreachable (always `up` for memory). */
  readonly status: StateBackendStatus;
  /** The last `down` reason while down. */
  readonly statusReason: string | undefined;
  /** Live replicas as last counted (1 for memory). */
  liveReplicas(): number;
  readonly onStatus: Event<StateStatusEvent>;
  close(): Promise<void>;
}

/**
 * Builds the shared state for `config` (see {@link SharedState}). With Redis, resolves once the
 * breaker cache is warm — or at once on local state when Redis cannot be reached within the
 * connect timeout (reported `down`; resynced when Redis appears). Never rejects for Redis trouble.
 */
export async function createSharedState(config: SharedStateConfig = {}, deps: SharedStateDeps = {}): Promise<SharedState> {
  const clock = deps.clock ?? systemClock;
  const replicaId = deps.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!config.redis) return memoryState(clock, replicaId);
  if (!deps.localCache) throw new TypeError('createSharedState: deps.localCache is required with Redis');
  const statusEmitter = new EventEmitter<StateStatusEvent>();
  let status: StateBackendStatus = 'down';
  let reason: string | undefined;
  const link = await RedisLink.connect({ ...config.redis, clock });
  const offStatus: Disposable = link.onStatus((event) => {
    status = event.status;
    reason = event.status === 'down' ? event.reason : undefined;
    statusEmitter.emit(event);
  });
  status = link.isUp ? 'up' : 'down';
  if (!link.isUp) reason = 'could not connect';
  const registry = new ReplicaRegistry(link, { id: replicaId, clock });
  await registry.start();
  const breakerStore = await RedisBreakerStateStore.open(link, { clock });
  return {
    backend: 'redis',
    replicaId,
    breakerStore,
    probeGate: new RedisProbeGate(link, { clock }),
    limiter: new RedisSlidingWindowLimiter(link, { clock, replicas: () => registry.live }),
    cacheStore: new RedisCacheStore(link, { local: deps.localCache() }),
    healthBoard: new RedisClusterHealthBoard(link, { clock }),
    replicaBoard: new RedisReplicaBoard(link, { clock }),
    alertLedger: new RedisAlertLedger(link, { clock }),
    leases: new RedisConcurrencyLeases(link, { clock, replicas: () => registry.live }),
    windowCounter: new RedisWindowCounter(link, { clock }),
    get status() {
      return status;
    },
    get statusReason() {
      return reason;
    },
    liveReplicas: () => registry.live,
    onStatus: statusEmitter.event,
    async close() {
      offStatus();
      breakerStore.close();
      await registry.stop();
      await link.close();
    },
  };
}

function memoryState(clock: Clock, replicaId: string): SharedState {
  return {
    backend: 'memory',
    replicaId,
    breakerStore: new MemoryBreakerStateStore(),
    probeGate: new LocalProbeGate(),
    limiter: new MemorySlidingWindowLimiter({ clock }),
    cacheStore: undefined,
    healthBoard: new MemoryClusterHealthBoard(),
    replicaBoard: new MemoryReplicaBoard(clock),
    alertLedger: new MemoryAlertLedger({ clock }),
    leases: new MemoryConcurrencyLeases({ clock }),
    windowCounter: new MemoryWindowCounter({ clock }),
    status: 'up',
    statusReason: undefined,
    liveReplicas: () => 1,
    onStatus: new EventEmitter<StateStatusEvent>().event,
    close: async () => {},
  };
}
