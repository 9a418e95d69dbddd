import type { Result } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { Disposable } from '../../core/events.js';
import { checkSnapshot, type BreakerSnapshot } from '../../core/circuit-breaker/snapshot.js';
import type { BreakerStateStore } from '../../core/circuit-breaker/store.js';
import { DEFAULT_BREAKER_KEY_TTL_SECONDS, DEFAULT_BREAKER_RECONCILE_INTERVAL_MS } from '../defaults.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';


/** How long opening the store waits for its SUBSCRIBE to be acknowledged (it completes later if Redis is slow). */
export const SUBSCRIBE_WAIT_MS = 1_000;
/** Options of {@link RedisBreakerStateStore}. */
export interface RedisBreakerStoreOptions {
  /** A breaker key expires this long after its last write, in s (default 7 days). */
  keyTtlSeconds?: number;
  /** Every breaker state is re-read this often, healing missed notifications, ms (default 1000, so an open breaker reaches every replica within ~1 s even if its message is lost; 0 = never). */
  reconcileIntervalMs?: number;
  /** Default `systemClock` (timers only: snapshot times come from the breakers). */
  clock?: Clock;
}

type Listener = (snapshot: BreakerSnapshot) => void;

/**
 * Compare-and-set by `changedAt` (ties go to the later write), a cluster-wide sequence number to
 * order writes with equal `changedAt`, and the notification itself — one atomic step.
 *
 * The sequence has an epoch that survives a Redis restart: whenever the sequence key is missing
 * (first use, or a Redis that came back empty), it starts at the server's time in microseconds,
 * or above the highest number this writer has seen (ARGV[7]) if that is higher (a server whose
 * clock is behind). Numbers handed out after a restart are thus above those handed out before,
 * so no replica mistakes a new state for an old one. Numbers travel as strings: a Lua number of
 * 16 digits loses precision in cjson and tostring.
 * KEYS: state hash, index set, sequence (one hash tag: one slot in a Redis Cluster).
 * ARGV: name, snapshot JSON, changedAt, origin, channel, ttl (s), highest sequence seen.
 */
const WRITE_SCRIPT = `
local at = redis.call('HGET', KEYS[1], 'at')
if at and tonumber(at) > tonumber(ARGV[3]) then return 0 end
if redis.call('EXISTS', KEYS[3]) == 0 then
  local t = redis.call('TIME')
  local epoch = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local floor = tonumber(ARGV[7]) or 0
  if floor > epoch then epoch = floor end
  redis.call('SET', KEYS[3], string.format('%.0f', epoch))
end
local seq = redis.call('INCR', KEYS[3])
local q = string.format('%.0f', seq)
redis.call('HSET', KEYS[1], 'snap', ARGV[2], 'at', ARGV[3], 'seq', q)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[5], cjson.encode({ o = ARGV[4], q = q, k = ARGV[1], s = ARGV[2] }))
return seq
`;

interface ChangeMessage {
  o: string;
  q: string;
  k: string;
  s: string;
}

/**
 * Circuit-breaker state shared through Redis, implementing the core's {@link BreakerStateStore}:
 * `get` reads a local cache warmed by {@link RedisBreakerStateStore.open}; `set` updates the cache
 * at once and writes Redis (compare-and-set by `changedAt` in a Lua script, which also publishes
 * the change); a subscriber connection hears every change and hands newer snapshots to the
 * breakers of this process. A breaker opened on one replica fast-fails on the others as soon as
 * the notification arrives (milliseconds; bounded by `reconcileIntervalMs` if it is lost).
 *
 * While Redis is down, writes stay local. Whenever Redis is usable again (it came back, possibly
 * empty; a failover to a replica that missed the last writes), this replica re-publishes every
 * state it holds (last writer by `changedAt` wins) and reloads every remote one, so a Redis that
 * kept nothing is refilled by the replicas and they converge (within `reconcileIntervalMs` if a
 * notification is lost). A state is taken when its `changedAt` is newer than the local one; the
 * sequence number only orders writes with equal `changedAt`.
 *
 * Keys share the hash tag `{breakers}` (one Redis Cluster slot, so the write script and the
 * reload pipeline stay on one node): `<prefix>{breakers}:state:<name>` (hash: snap, at, seq),
 * `<prefix>{breakers}:index`, `<prefix>{breakers}:seq`; channel `<prefix>breaker-changes`.
 *
 * @example
 * const store = await RedisBreakerStateStore.open(link);
 * const router = createRouter(config, { breakerStore: store });
 */
export class RedisBreakerStateStore implements BreakerStateStore {
  private readonly cache = new Map<string, BreakerSnapshot>();
  /** Sequence number of the state held per key (orders writes with equal `changedAt`). */
  private readonly seen = new Map<string, number>();
  /** Highest sequence number seen on any key: the floor of a new epoch this replica starts. */
  private highestSeq = 0;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly indexKey: string;
  private readonly seqKey: string;
  private readonly keyTtlSeconds: number;
  private readonly reconcileIntervalMs: number;
  private readonly clock: Clock;
  private reconcileTimer: TimerHandle | undefined;
  private closed = false;
  private readonly disposers: Disposable[] = [];
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === this.channel) this.receive(message);
  };
  private readonly onSubscriberReady = (): void => {
    // Subscribing again is harmless, and needed when the first SUBSCRIBE failed (Redis was down at start).
    void this.link.subscriber.subscribe(this.channel).catch(() => {});
    void this.reload();
  };

  private constructor(private readonly link: RedisLink, options: RedisBreakerStoreOptions) {
    this.channel = link.key('breaker-changes');
    this.indexKey = breakerIndexKey(link.prefix);
    this.seqKey = breakerSequenceKey(link.prefix);
    this.keyTtlSeconds = options.keyTtlSeconds ?? DEFAULT_BREAKER_KEY_TTL_SECONDS;
    this.reconcileIntervalMs = options.reconcileIntervalMs ?? DEFAULT_BREAKER_RECONCILE_INTERVAL_MS;
    this.clock = options.clock ?? systemClock;
    if (typeof link.commands.bulwarkBreakerWrite !== 'function') {
      link.commands.defineCommand('bulwarkBreakerWrite', { numberOfKeys: 3, lua: WRITE_SCRIPT });
    }
  }

  /**
   * Subscribes to changes and loads every breaker state Redis holds, so that `get` answers from
   * a warm cache before any breaker is built. Never rejects: with Redis down it starts empty and
   * fills in on recovery.
   */
  static async open(link: RedisLink, options: RedisBreakerStoreOptions = {}): Promise<RedisBreakerStateStore> {
    const store = new RedisBreakerStateStore(link, options);
    link.subscriber.on('message', store.onMessage);
    link.subscriber.on('ready', store.onSubscriberReady);
    store.disposers.push(link.onRecovered(() => void store.resync()));
    // Queued until the subscriber is ready (ioredis re-subscribes after reconnects); waiting is bounded.
    await link.within(link.subscriber.subscribe(store.channel), SUBSCRIBE_WAIT_MS);
    await store.reload();
    store.scheduleReconcile();
    return store;
  }

  get(key: string): BreakerSnapshot | undefined {
    return this.cache.get(key);
  }

  set(key: string, snapshot: BreakerSnapshot): Promise<void> {
    this.cache.set(key, snapshot);
    return this.write(key, snapshot);
  }

  subscribe(key: string, listener: Listener): Disposable {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.listeners.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(key);
    };
  }

  /** Names of every breaker this process knows a state for. */
  keys(): string[] {
    return [...this.cache.keys()];
  }

  /**
   * Re-publishes every state this replica holds (its own and those it learned: Redis may have
   * come back empty, or failed over to a replica that missed writes), then reloads every remote
   * state. Compare-and-set by `changedAt` keeps the newest of each.
   */
  async resync(): Promise<void> {
    for (const [key, snapshot] of [...this.cache]) {
      if (this.closed) return;
      await this.write(key, snapshot);
    }
    await this.reload();
  }

  /** Reads every breaker state from Redis and applies those newer than the local ones. */
  async reload(): Promise<void> {
    const names = await this.link.call((r) => r.smembers(this.indexKey));
    if (names === UNAVAILABLE || names.length === 0) return;
    const rows = await this.link.call((r) => {
      const batch = r.pipeline();
      for (const name of names) batch.hmget(breakerStateKey(this.link.prefix, name), 'snap', 'seq');
      return batch.exec();
    });
    if (rows === UNAVAILABLE || rows === null) return;
    rows.forEach(([error, row], i) => {
      const [snap, seq] = (row ?? []) as Array<string | null>;
      if (!error && snap && seq) this.apply(names[i], Number(seq), snap);
    });
  }

  /** Stops listening; the cache stays readable. The link is not closed (it is shared). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconcileTimer !== undefined) this.clock.clearTimeout(this.reconcileTimer);
    this.link.subscriber.off('message', this.onMessage);
    this.link.subscriber.off('ready', this.onSubscriberReady);
    for (const dispose of this.disposers) dispose();
  }

  private async write(key: string, snapshot: BreakerSnapshot): Promise<void> {
    const seq = await this.link.call((r) => r.bulwarkBreakerWrite(
      breakerStateKey(this.link.prefix, key), this.indexKey, this.seqKey,
      key, JSON.stringify(snapshot), snapshot.changedAt, this.origin, this.channel, this.keyTtlSeconds, this.highestSeq,
    ));
    if (seq === UNAVAILABLE) return; // kept locally; re-published by resync() when Redis is back
    if (seq === 0) await this.adoptWinner(key); // a newer state is in Redis: converge on it
    else this.noteSeq(key, seq);
  }

  /** After a lost compare-and-set: the winning state replaces ours (and our breaker's, via its listener). */
  private async adoptWinner(key: string): Promise<void> {
    const row = await this.link.call((r) => r.hmget(breakerStateKey(this.link.prefix, key), 'snap', 'seq'));
    if (row === UNAVAILABLE || !row[0] || !row[1]) return;
    this.apply(key, Number(row[1]), row[0], true);
  }

  private receive(message: string): void {
    let change: ChangeMessage;
    try {
      change = JSON.parse(message) as ChangeMessage;
    } catch {
      return;
    }
    // Anyone with access to Redis may publish here: only well-formed changes are applied.
    if (change === null || typeof change !== 'object' || typeof change.k !== 'string' || typeof change.s !== 'string') return;
    if (change.o === this.origin) return; // our own write: the cache has it
    const seq = Number(change.q);
    if (!Number.isFinite(seq)) return;
    this.apply(change.k, seq, change.s);
  }

  /**
   * Takes a remote state when it is newer than the local one by `changedAt`; with equal
   * `changedAt`, when its sequence number is higher (the later write won in Redis) or `force`
   * (Redis refused our write for it). Sequence numbers never decide alone: after a Redis restart
   * they are of another epoch.
   */
  private apply(key: string, seq: number, json: string, force = false): void {
    let snapshot: BreakerSnapshot;
    try {
      snapshot = checkSnapshot(JSON.parse(json), `redis breaker "${key}"`);
    } catch {
      return; // a malformed remote state never replaces a valid local one
    }
    const local = this.cache.get(key);
    if (local) {
      if (snapshot.changedAt < local.changedAt) return;
      if (snapshot.changedAt === local.changedAt && !force && seq <= (this.seen.get(key) ?? 0)) return;
      if (sameSnapshot(local, snapshot)) {
        this.noteSeq(key, seq);
        return;
      }
    }
    this.noteSeq(key, seq);
    this.cache.set(key, snapshot);
    const listeners = this.listeners.get(key);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(snapshot);
      } catch {
        // One subscriber's failure must not stop the others hearing about the change.
      }
    }
  }

  private noteSeq(key: string, seq: number): void {
    this.seen.set(key, seq);
    if (seq > this.highestSeq) this.highestSeq = seq;
  }

  private scheduleReconcile(): void {
    if (this.reconcileIntervalMs <= 0 || this.closed) return;
    this.reconcileTimer = this.clock.setTimeout(() => {
      void this.reload().finally(() => this.scheduleReconcile());
    }, this.reconcileIntervalMs);
  }
}

/** The hash of breaker `name`'s state (see {@link RedisBreakerStateStore} for the key layout). */
export function breakerStateKey(prefix: string, name: string): string {
  return `${prefix}{breakers}:state:${name}`;
}

/** The set of every breaker name with a state in Redis. */
export function breakerIndexKey(prefix: string): string {
  return `${prefix}{breakers}:index`;
}

/** The breakers' sequence counter (its epoch restarts above the old numbers after an empty restart). */
export function breakerSequenceKey(prefix: string): string {
  return `${prefix}{breakers}:seq`;
}

function sameSnapshot(a: BreakerSnapshot, b: BreakerSnapshot): boolean {
  return a.state === b.state && a.changedAt === b.changedAt && a.openUntil === b.openUntil && a.reason === b.reason && a.consecutiveTrips === b.consecutiveTrips;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulwarkBreakerWrite(
      stateKey: string, indexKey: string, seqKey: string,
      name: string, json: string, changedAt: number, origin: string, channel: string, ttlSeconds: number, highestSeq: number,
    ): Result<number, Context>;
  }
}
