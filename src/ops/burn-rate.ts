import { BURN_COARSE_BUCKETS, BURN_COARSE_BUCKET_MS, BURN_FINE_BUCKETS, BURN_FINE_BUCKET_MS } from './defaults.js';
import type { BurnRateWindowPair } from './defaults.js';
import { CounterRing } from './counter-ring.js';

/** Which SLO the budget belongs to: availability (bad = error) or latency (bad = over threshold). */
export type SloKind = 'availability' | 'latency';

/**
 * How fast the error budget burns: the observed bad fraction divided by the budget fraction.
 * 1 spends exactly the budget over the SLO period; 14.4 spends 2 % of a 30-day budget in an hour.
 *
 * @example burnRate(0.072, 99.5) // 14.4
 */
export function burnRate(badFraction: number, objectivePercent: number): number {
  const budget = 1 - objectivePercent / 100;
  return budget > 0 ? badFraction / budget : Infinity;
}

/** One burn-rate rule's evaluation. Rates are null when a window saw no traffic. */
export interface BurnRateStatus {
  kind: SloKind;
  pair: BurnRateWindowPair;
  longRate: number | null;
  shortRate: number | null;
  longRequests: number;
  /** Both windows burn faster than the pair's factor (multi-window: fast to fire, fast to reset). */
  firing: boolean;
}

class RouteCounters {
  readonly fine = new CounterRing(BURN_FINE_BUCKET_MS, BURN_FINE_BUCKETS);
  readonly coarse = new CounterRing(BURN_COARSE_BUCKET_MS, BURN_COARSE_BUCKETS);

  sum(now: number, windowMs: number) {
    return windowMs <= this.fine.spanMs ? this.fine.sum(now, windowMs) : this.coarse.sum(now, windowMs);
  }
}

/**
 * Counts good and bad events per route for the SLO windows: 1-min buckets for 6 h and 5-min
 * buckets for 3 days (about 3.7k numbers per route, whatever the traffic). Windows up to 6 h read
 * the fine ring; longer ones the coarse ring.
 */
export class BurnRateTracker {
  private readonly routes = new Map<string, RouteCounters>();

  record(route: string, at: number, bad: boolean, slow: boolean): void {
    let counters = this.routes.get(route);
    if (!counters) this.routes.set(route, (counters = new RouteCounters()));
    counters.fine.add(at, bad, slow);
    counters.coarse.add(at, bad, slow);
  }

  /** The burn rate of `kind` for `route` over the last `windowMs`; null without traffic. */
  rate(route: string, kind: SloKind, objectivePercent: number, windowMs: number, now: number): { rate: number | null; requests: number } {
    const counters = this.routes.get(route);
    if (!counters) return { rate: null, requests: 0 };
    const { total, bad, slow } = counters.sum(now, windowMs);
    if (total === 0) return { rate: null, requests: 0 };
    return { rate: burnRate((kind === 'availability' ? bad : slow) / total, objectivePercent), requests: total };
  }

  /** Evaluates every pair for one route and SLO kind. */
  evaluate(route: string, kind: SloKind, objectivePercent: number, pairs: readonly BurnRateWindowPair[], minRequests: number, now: number): BurnRateStatus[] {
    return pairs.map((pair) => {
      const long = this.rate(route, kind, objectivePercent, pair.longMs, now);
      const short = this.rate(route, kind, objectivePercent, pair.shortMs, now);
      const firing = long.rate !== null && short.rate !== null && long.requests >= minRequests && long.rate > pair.factor && short.rate > pair.factor;
      return { kind, pair, longRate: long.rate, shortRate: short.rate, longRequests: long.requests, firing };
    });
  }

  routeNames(): IterableIterator<string> {
    return this.routes.keys();
  }
}
