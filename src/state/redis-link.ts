import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { EventEmitter, type Event } from '../core/events.js';
import type { TimerHandle } from '../core/clock.js';
import { resolveLinkOptions } from './options.js';
import { createRedisClient, type RedisClient, type RedisConnectionOptions } from './redis-connection.js';
import type { StateStatusEvent } from './state-status.js';


/** How long `close()` waits for Redis to acknowledge QUIT before dropping the connection. */
export const QUIT_WAIT_MS = 250;
/**
 * Options of {@link RedisLink}: where Redis is ({@link RedisConnectionOptions}: exactly one of
 * `url`, `sentinel`, `cluster`; ACL user, password, TLS) and how patient to be with it.
 */
export interface RedisLinkOptions extends RedisConnectionOptions {
  /** Prefix of every key and channel (default `"bulwark:"`; no braces: keys carry their own hash tags). */
  keyPrefix?: string;
  /** Per-command bound in ms; slower commands fail and callers use local state (default 50). */
  commandTimeoutMs?: number;
  /** Connect bound in ms (default 1000). */
  connectTimeoutMs?: number;
  /** Consecutive command failures that mark Redis down (default 3). */
  failureThreshold?: number;
  /** PING period while down (default 1000). */
  recoveryCheckIntervalMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/** What {@link RedisLink.call} returns when Redis could not answer: use local state. */
export const UNAVAILABLE: unique symbol = Symbol('bulwark.state.unavailable');
export type Unavailable = typeof UNAVAILABLE;

/**
 * The connections to Redis shared by every Redis-backed store of one process, and the verdict on
 * whether Redis is usable. Nothing here ever throws at a caller: {@link call} returns
 * {@link UNAVAILABLE} on an error, a timeout or while Redis is down, so every store has a local
 * answer ready. ioredis runs with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`, so a
 * command never waits for a reconnect, and with `commandTimeout` so it never waits long.
 *
 * Redis is *down* after the connection closes or `failureThreshold` commands in a row failed; it
 * is *up* again when the connection is ready or a recovery PING answers. Both changes are
 * emitted ({@link onStatus}); on the way up {@link onRecovered} listeners resync their state.
 *
 * @example
 * const link = await RedisLink.connect({ url: 'redis://127.0.0.1:6379', keyPrefix: 'prod:' });
 * const n = await link.call((r) => r.incr(link.key('hits')));
 * if (n === UNAVAILABLE) useLocalCounter();
 */
export class RedisLink {
  readonly prefix: string;
  /** Commands (scripts, reads, writes, PUBLISH): a single server's or sentinel-found primary's client, or a cluster client. */
  readonly commands: RedisClient;
  /** Pub/sub only (a subscribed connection can run nothing else). */
  readonly subscriber: RedisClient;
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly recoveryCheckIntervalMs: number;
  private up = false;
  /** Down was reported and no `up` since: the next `up` is a recovery (resync). */
  private reportedDown = false;
  private failures = 0;
  private closed = false;
  private recoveryTimer: TimerHandle | undefined;
  private readonly statusEmitter = new EventEmitter<StateStatusEvent>();
  private readonly recoveredEmitter = new EventEmitter<void>();
  /** Redis went down or came back. */
  readonly onStatus: Event<StateStatusEvent> = this.statusEmitter.event;
  /** Redis is usable again after being down: re-publish local state, reload remote state. */
  readonly onRecovered: Event<void> = this.recoveredEmitter.event;

  private constructor(options: RedisLinkOptions) {
    const o = resolveLinkOptions(options);
    this.prefix = o.keyPrefix;
    this.clock = options.clock ?? systemClock;
    this.failureThreshold = o.failureThreshold;
    this.recoveryCheckIntervalMs = o.recoveryCheckIntervalMs;
    this.commands = createRedisClient(o.connection, { connectTimeoutMs: o.connectTimeoutMs, commandTimeoutMs: o.commandTimeoutMs, offlineQueue: false });
    // The subscriber only ever issues SUBSCRIBE; ioredis re-subscribes by itself after a reconnect.
    this.subscriber = createRedisClient(o.connection, { connectTimeoutMs: o.connectTimeoutMs, offlineQueue: true });
    for (const client of [this.commands, this.subscriber]) client.on('error', () => {}); // state changes are tracked below; errors are expected while down
    this.commands.on('ready', () => this.markUp());
    this.commands.on('close', () => this.markDown('connection closed'));
    for (const client of [this.commands, this.subscriber]) client.on('end', () => this.revive(client));
  }

  /**
   * Connects (both connections) and resolves once connected or once `connectTimeoutMs` passed.
   * Never rejects: a Redis that is not there yet means the process starts on local state, reports
   * `down`, and resyncs when Redis appears.
   */
  static async connect(options: RedisLinkOptions): Promise<RedisLink> {
    const link = new RedisLink(options);
    // ioredis's connectTimeout covers the TCP connect only: a server that accepts and never
    // answers (overloaded, half-open proxy) would hold the ready check, and the gateway's start,
    // forever. Waiting is bounded here; the link keeps trying in the background.
    await link.within(Promise.all([link.commands.connect(), link.subscriber.connect()]), resolveLinkOptions(options).connectTimeoutMs);
    // A cluster client resolves connect() a tick before it emits 'ready': its status already says so.
    if (!link.up && link.commands.status === 'ready') link.markUp();
    if (!link.up) link.markDown('could not connect');
    return link;
  }

  /**
   * Waits for `work` at most `ms` (it goes on in the background after that); never rejects.
   * For the calls ioredis would otherwise hold forever on a server that accepts and never answers
   * (the connection's ready check, SUBSCRIBE on the offline queue).
   */
  async within(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: unknown;
    const bound = new Promise<void>((resolve) => {
      timer = this.clock.setTimeout(resolve, ms);
    });
    await Promise.race([work.then(() => undefined, () => undefined), bound]);
    this.clock.clearTimeout(timer);
  }

  /** True while commands are sent to Redis. */
  get isUp(): boolean {
    return this.up;
  }

  /** `prefix + name`. */
  key(name: string): string {
    return this.prefix + name;
  }

  /**
   * Runs one Redis operation; on any failure (including the command timeout) or while Redis is
   * down, returns {@link UNAVAILABLE} instead of throwing.
   */
  async call<T>(operation: (redis: RedisClient) => Promise<T>): Promise<T | Unavailable> {
    if (!this.up) return UNAVAILABLE;
    try {
      const value = await operation(this.commands);
      this.failures = 0;
      return value;
    } catch (error) {
      // A key of the wrong type or content fails the same way every time, whatever Redis's health:
      // that key is answered locally, and Redis stays up for every other key.
      if (isKeyFault(error)) return UNAVAILABLE;
      if (++this.failures >= this.failureThreshold) this.markDown(`${this.failures} commands failed: ${messageOf(error)}`);
      return UNAVAILABLE;
    }
  }

  /** Closes both connections and stops the recovery checks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopRecoveryChecks();
    this.up = false;
    // QUIT lets pending writes finish, but a server that stopped answering never acknowledges
    // it: after a short wait the connection is dropped instead (the state is soft).
    await Promise.all([this.commands, this.subscriber].map((client) => new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        client.disconnect();
        resolve();
      }, QUIT_WAIT_MS);
      client.quit().catch(() => client.disconnect()).finally(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    })));
  }

  private markUp(): void {
    if (this.up || this.closed) return;
    this.up = true;
    this.failures = 0;
    this.stopRecoveryChecks();
    const recovering = this.reportedDown;
    this.reportedDown = false;
    this.statusEmitter.emit({ backend: 'redis', status: 'up', reason: recovering ? 'reconnected' : 'connected', at: this.clock.now() });
    if (recovering) this.recoveredEmitter.emit();
  }

  private markDown(reason: string): void {
    if (this.closed) return;
    if (this.up || !this.reportedDown) {
      // The first failed connect reports `down` too, so a gateway started without Redis alerts.
      this.up = false;
      this.reportedDown = true;
      this.statusEmitter.emit({ backend: 'redis', status: 'down', reason, at: this.clock.now() });
    }
    if (this.recoveryTimer === undefined) this.scheduleRecoveryCheck();
  }

  private scheduleRecoveryCheck(): void {
    this.recoveryTimer = this.clock.setTimeout(() => {
      this.recoveryTimer = undefined;
      if (this.up || this.closed) return;
      // A connection that never closed (commands timed out) does not fire 'ready' again: ask it.
      if (this.commands.status !== 'ready') return this.scheduleRecoveryCheck();
      this.commands.ping().then(
        () => this.markUp(),
        () => this.scheduleRecoveryCheck(),
      );
    }, this.recoveryCheckIntervalMs);
  }

  /**
   * ioredis stops for good ('end') on a few failures instead of retrying — seen under load when a
   * sentinel's connection closed in the middle of asking it for the primary during a failover.
   * Until `close()`, a client that ended is started again every `recoveryCheckIntervalMs`.
   */
  private revive(client: RedisClient): void {
    if (this.closed) return;
    this.clock.setTimeout(() => {
      if (!this.closed && client.status === 'end') client.connect().catch(() => {}); // a failed start ends again: revived again
    }, this.recoveryCheckIntervalMs);
  }

  private stopRecoveryChecks(): void {
    if (this.recoveryTimer !== undefined) this.clock.clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
  }
}

/**
 * True for Redis's answer about one key's data (WRONGTYPE, or a script that met a value it cannot
 * read, e.g. another process wrote the key): Redis itself answered, so it is not a sign of trouble.
 */
export function isKeyFault(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return false;
  return error.message.startsWith('WRONGTYPE') || error.message.startsWith('ERR user_script:');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 120) : String(error).slice(0, 120);
}
