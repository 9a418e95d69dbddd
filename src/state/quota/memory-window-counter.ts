import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { WindowCounter } from './window-counter.js';

/**
 * {@link WindowCounter} in this process (also the Redis one's local twin). Keeps one total per
 * key: a total from an older window is dropped when the key is next touched.
 *
 * @example const counter = new MemoryWindowCounter({ clock }); await counter.add('tenant:acme:day', 1200, 86_400_000);
 */
export class MemoryWindowCounter implements WindowCounter {
  private readonly totals = new Map<string, { window: number; total: number }>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async add(key: string, amount: number, windowMs: number): Promise<number> {
    return this.addNow(key, amount, windowMs);
  }

  async used(key: string, windowMs: number): Promise<number> {
    return this.addNow(key, 0, windowMs);
  }

  addNow(key: string, amount: number, windowMs: number): number {
    const window = Math.floor(this.clock.now() / windowMs);
    let entry = this.totals.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, total: 0 };
      this.totals.set(key, entry);
    }
    entry.total += amount;
    return entry.total;
  }
}
