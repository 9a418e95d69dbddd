import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { ConcurrencyLeases } from './concurrency-leases.js';

/**
 * {@link ConcurrencyLeases} in this process. Also the Redis implementation's local twin while
 * Redis is away (then with a share of the limit). The `*Now` methods are its synchronous core.
 *
 * @example const leases = new MemoryConcurrencyLeases({ clock }); if (await leases.acquire('tenant:acme', id, 10, 30_000)) { ... }
 */
export class MemoryConcurrencyLeases implements ConcurrencyLeases {
  /** Key → holder → lease expiry (clock ms). */
  private readonly held = new Map<string, Map<string, number>>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async acquire(key: string, holder: string, limit: number, leaseMs: number): Promise<boolean> {
    return this.acquireNow(key, holder, limit, leaseMs);
  }

  async release(key: string, holder: string): Promise<void> {
    this.releaseNow(key, holder);
  }

  async renew(key: string, holders: readonly string[], leaseMs: number): Promise<void> {
    const leases = this.held.get(key);
    if (!leases) return;
    const until = this.clock.now() + leaseMs;
    for (const holder of holders) if (leases.has(holder)) leases.set(holder, until);
  }

  acquireNow(key: string, holder: string, limit: number, leaseMs: number): boolean {
    const now = this.clock.now();
    let leases = this.held.get(key);
    if (!leases) this.held.set(key, (leases = new Map()));
    for (const [h, until] of leases) if (until <= now) leases.delete(h);
    if (leases.size >= limit) return false;
    leases.set(holder, now + leaseMs);
    return true;
  }

  releaseNow(key: string, holder: string): void {
    const leases = this.held.get(key);
    if (!leases) return;
    leases.delete(holder);
    if (leases.size === 0) this.held.delete(key);
  }
}
