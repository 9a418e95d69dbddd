import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { SlidingWindowLimiter, WindowDecision } from './sliding-window-limiter.js';

/** One key's log: entry times and costs in arrival order (a queue with a moving head). */
interface Log {
  at: number[];
  cost: number[];
  head: number;
  sum: number;
}

/**
 * {@link SlidingWindowLimiter} for one process (the embedded default, and each replica's twin
 * while Redis is down). Per key, a log of (time, cost) trimmed from the head as entries leave
 * the window: take and record are amortized O(1); memory is bounded by the entries in a window.
 *
 * @example const limiter = new MemorySlidingWindowLimiter({ clock });
 */
export class MemorySlidingWindowLimiter implements SlidingWindowLimiter {
  private readonly logs = new Map<string, Log>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async take(key: string, cost: number, limit: number, windowMs: number): Promise<WindowDecision> {
    return this.takeNow(key, cost, limit, windowMs);
  }

  /** Synchronous {@link take} (the Redis limiter's fallback needs no extra promise). */
  takeNow(key: string, cost: number, limit: number, windowMs: number): WindowDecision {
    const now = this.clock.now();
    const log = this.trimmed(key, now, windowMs);
    if (log.sum + cost > limit) return { allowed: false, used: log.sum, retryAfterMs: retryAfter(log, now, windowMs, log.sum + cost - limit) };
    append(log, now, cost);
    return { allowed: true, used: log.sum, retryAfterMs: 0 };
  }

  async record(key: string, cost: number, windowMs: number): Promise<number> {
    const log = this.trimmed(key, this.clock.now(), windowMs);
    append(log, this.clock.now(), cost);
    return log.sum;
  }

  async used(key: string, windowMs: number): Promise<number> {
    return this.trimmed(key, this.clock.now(), windowMs).sum;
  }

  private trimmed(key: string, now: number, windowMs: number): Log {
    let log = this.logs.get(key);
    if (!log) {
      log = { at: [], cost: [], head: 0, sum: 0 };
      this.logs.set(key, log);
    }
    const cutoff = now - windowMs;
    while (log.head < log.at.length && log.at[log.head] <= cutoff) log.sum -= log.cost[log.head++];
    if (log.head > 1024 && log.head * 2 > log.at.length) {
      log.at = log.at.slice(log.head);
      log.cost = log.cost.slice(log.head);
      log.head = 0;
    }
    return log;
  }
}

function append(log: Log, at: number, cost: number): void {
  log.at.push(at);
  log.cost.push(cost);
  log.sum += cost;
}

/** Time until at least `excess` units have left the window. */
function retryAfter(log: Log, now: number, windowMs: number, excess: number): number {
  let freed = 0;
  for (let i = log.head; i < log.at.length; i++) {
    freed += log.cost[i];
    if (freed >= excess) return Math.max(1, log.at[i] + windowMs - now);
  }
  return windowMs; // the cost alone is above the limit: it never fits
}
