import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { UNAVAILABLE, type RedisLink } from '../redis-link.js';
import { MemoryWindowCounter } from './memory-window-counter.js';
import type { WindowCounter } from './window-counter.js';

/**
 * {@link WindowCounter} shared by every replica: one Redis string per key and window
 * (`<prefix>wc:{<key>}:<window index>`), `INCRBY` then `PEXPIRE` to two windows, in one
 * MULTI. While Redis is unreachable the totals come from a local twin that counts this
 * replica's own amounts (the caller compares them with its share of the limit).
 *
 * @example const counter = new RedisWindowCounter(link, { clock }); const today = await counter.used('tenant:acme:tokens', DAY_MS);
 */
export class RedisWindowCounter implements WindowCounter {
  private readonly clock: Clock;
  private readonly local: MemoryWindowCounter;

  constructor(private readonly link: RedisLink, options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.local = new MemoryWindowCounter({ clock: this.clock });
  }

  async add(key: string, amount: number, windowMs: number): Promise<number> {
    const local = this.local.addNow(key, amount, windowMs);
    const name = this.keyOf(key, windowMs);
    const reply = await this.link.call((r) => r.multi().incrby(name, Math.round(amount)).pexpire(name, 2 * windowMs).exec());
    if (reply === UNAVAILABLE || !reply || reply[0][0]) return local;
    return Number(reply[0][1]);
  }

  async used(key: string, windowMs: number): Promise<number> {
    const reply = await this.link.call((r) => r.get(this.keyOf(key, windowMs)));
    return reply === UNAVAILABLE ? this.local.addNow(key, 0, windowMs) : Number(reply ?? 0);
  }

  private keyOf(key: string, windowMs: number): string {
    return this.link.key(`wc:{${key}}:${Math.floor(this.clock.now() / windowMs)}`);
  }
}
