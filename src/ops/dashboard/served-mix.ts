import type { RequestEvent } from '../../llm/router-events.js';

/** How a request was answered, as the dashboard groups it. */
export type ServedKind = 'primary' | 'secondary' | 'cache' | 'default' | 'failed';

/** The kinds in the order the ring stores them (and the page draws them). */
export const SERVED_KINDS: readonly ServedKind[] = Object.freeze(['primary', 'secondary', 'cache', 'default', 'failed']);

/** Seconds of per-route history kept for the dashboard charts (one bucket per second). */
export const DEFAULT_MIX_SECONDS = 60;
/** Routes tracked at most; requests for further route names are not charted (bounded memory). */
export const DEFAULT_MIX_MAX_ROUTES = 100;
/** The dashboard's history: one bucket per minute (the SLA windows' resolution) for an hour. */
export const HISTORY_BUCKET_MS = 60_000;
export const HISTORY_BUCKETS = 60;

const LATENCY = SERVED_KINDS.length;
const TOKENS = LATENCY + 1;
const FIELDS = TOKENS + 1;

/** `primary` (first group of the chain), `secondary` (a later group), `cache`, `default` or `failed`. */
export function servedKindOf(e: Pick<RequestEvent, 'servedBy' | 'fallbackDepth' | 'ok'>): ServedKind {
  if (!e.ok || e.servedBy === 'none') return 'failed';
  if (e.servedBy === 'cache') return 'cache';
  if (e.servedBy === 'default') return 'default';
  return e.fallbackDepth === 0 ? 'primary' : 'secondary';
}

/** Per-bucket series of one route, oldest first; `t` in Unix seconds (bucket start). */
export interface MixSeries {
  t: number[];
  primary: number[];
  secondary: number[];
  cache: number[];
  default: number[];
  failed: number[];
  /** Mean latency of the bucket's requests (ms), null for a bucket without requests. */
  avgMs: Array<number | null>;
  /** Tokens (input + output) answered in the bucket. */
  tokens: number[];
}

/** Totals over the whole window. */
export type MixTotals = Record<ServedKind, number>;

const routeOf = (e: RequestEvent): string => e.route;

/** Keys a {@link ServedMix} by tenant (the dashboard's per-tenant view). */
export const tenantOf = (e: RequestEvent): string => e.tenant;

class RouteRing {
  readonly values: Float64Array;
  readonly stamps: Float64Array;
  constructor(seconds: number) {
    this.values = new Float64Array(seconds * FIELDS);
    this.stamps = new Float64Array(seconds).fill(-1);
  }
}

/**
 * Who answered each route's requests, and their latency and tokens, per bucket (default one per
 * second) over the last `seconds` buckets (default {@link DEFAULT_MIX_SECONDS}): a fixed ring per
 * route (no allocation per request). Feeds the dashboard's served-by mix, its live charts (1 s
 * buckets) and its one-hour history (1 min buckets).
 *
 * @example mix.record(event); mix.series('gpt-4', clock.now())
 */
export class ServedMix {
  private readonly rings = new Map<string, RouteRing>();

  constructor(
    private readonly seconds = DEFAULT_MIX_SECONDS,
    private readonly maxRoutes = DEFAULT_MIX_MAX_ROUTES,
    private readonly bucketMs = 1000,
    /** What a ring is kept per: the route (default) or e.g. the tenant. */
    private readonly keyOf: (e: RequestEvent) => string = routeOf,
  ) {}

  /** Counts one finished request (O(1)). */
  record(e: RequestEvent): void {
    const key = this.keyOf(e);
    let ring = this.rings.get(key);
    if (ring === undefined) {
      if (this.rings.size >= this.maxRoutes) return;
      ring = new RouteRing(this.seconds);
      this.rings.set(key, ring);
    }
    const second = Math.floor(e.at / this.bucketMs);
    const slot = second % this.seconds;
    const base = slot * FIELDS;
    if (ring.stamps[slot] !== second) {
      ring.stamps[slot] = second;
      ring.values.fill(0, base, base + FIELDS);
    }
    ring.values[base + SERVED_KINDS.indexOf(servedKindOf(e))]++;
    ring.values[base + LATENCY] += e.durationMs;
    ring.values[base + TOKENS] += e.inputTokens + e.outputTokens;
  }

  /** Route names seen. */
  routes(): IterableIterator<string> {
    return this.rings.keys();
  }

  /** Forgets every count. */
  reset(): void {
    this.rings.clear();
  }

  /** The last `seconds` whole seconds before `now` (the current, unfinished second excluded). */
  series(route: string, now: number): MixSeries {
    const out: MixSeries = { t: [], primary: [], secondary: [], cache: [], default: [], failed: [], avgMs: [], tokens: [] };
    const ring = this.rings.get(route);
    const current = Math.floor(now / this.bucketMs);
    const perSecond = this.bucketMs / 1000;
    for (let second = current - this.seconds; second < current; second++) {
      out.t.push(second * perSecond);
      const slot = ((second % this.seconds) + this.seconds) % this.seconds;
      const live = ring !== undefined && ring.stamps[slot] === second;
      let count = 0;
      for (let k = 0; k < SERVED_KINDS.length; k++) {
        const n = live ? ring.values[slot * FIELDS + k] : 0;
        count += n;
        out[SERVED_KINDS[k]].push(n);
      }
      out.avgMs.push(count > 0 ? Math.round((ring!.values[slot * FIELDS + LATENCY] / count) * 10) / 10 : null);
      out.tokens.push(live ? ring.values[slot * FIELDS + TOKENS] : 0);
    }
    return out;
  }

  /** Requests per kind over the last `seconds` seconds, the current second included (reacts at once). */
  totals(route: string, now: number): MixTotals {
    const totals = { primary: 0, secondary: 0, cache: 0, default: 0, failed: 0 };
    const ring = this.rings.get(route);
    if (ring === undefined) return totals;
    const current = Math.floor(now / this.bucketMs);
    for (let slot = 0; slot < this.seconds; slot++) {
      const second = ring.stamps[slot];
      if (second <= current - this.seconds || second > current) continue;
      for (let k = 0; k < SERVED_KINDS.length; k++) totals[SERVED_KINDS[k]] += ring.values[slot * FIELDS + k];
    }
    return totals;
  }
}
