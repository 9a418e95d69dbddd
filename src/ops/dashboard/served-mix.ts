import type { RequestEvent } from '../../llm/router-events.js';

/** How a request was answered, as the dashboard groups it. */
export type ServedKind = 'primary' | 'secondary' | 'cache' | 'default' | 'failed';

/** The kinds in the order the ring stores them (and the page draws them). */
export const SERVED_KINDS: readonly ServedKind[] = Object.freeze(['primary', 'secondary', 'cache', 'default', 'failed']);

/** Seconds of per-route history kept for the dashboard charts (one bucket per second). */
export const DEFAULT_MIX_SECONDS = 60;
/** Routes tracked at most; requests for further route names are not charted (bounded memory). */
export const DEFAULT_MIX_MAX_ROUTES = 100;

const LATENCY = SERVED_KINDS.length;
const FIELDS = LATENCY + 1;

/** `primary` (first group of the chain), `secondary` (a later group), `cache`, `default` or `failed`. */
export function servedKindOf(e: Pick<RequestEvent, 'servedBy' | 'fallbackDepth' | 'ok'>): ServedKind {
  if (!e.ok || e.servedBy === 'none') return 'failed';
  if (e.servedBy === 'cache') return 'cache';
  if (e.servedBy === 'default') return 'default';
  return e.fallbackDepth === 0 ? 'primary' : 'secondary';
}

/** Per-second series of one route, oldest first; `t` in Unix seconds. */
export interface MixSeries {
  t: number[];
  primary: number[];
  secondary: number[];
  cache: number[];
  default: number[];
  failed: number[];
  /** Mean latency of the second's requests (ms), null for a second without requests. */
  avgMs: Array<number | null>;
}

/** Totals over the whole window. */
export type MixTotals = Record<ServedKind, number>;

class RouteRing {
  readonly values: Float64Array;
  readonly stamps: Float64Array;
  constructor(seconds: number) {
    this.values = new Float64Array(seconds * FIELDS);
    this.stamps = new Float64Array(seconds).fill(-1);
  }
}

/**
 * Who answered each route's requests, per second, over the last {@link DEFAULT_MIX_SECONDS}
 * seconds: a fixed ring per route (no allocation per request). Feeds the dashboard's served-by
 * mix and its throughput/latency charts.
 *
 * @example mix.record(event); mix.series('gpt-4', clock.now())
 */
export class ServedMix {
  private readonly rings = new Map<string, RouteRing>();

  constructor(private readonly seconds = DEFAULT_MIX_SECONDS, private readonly maxRoutes = DEFAULT_MIX_MAX_ROUTES) {}

  /** Counts one finished request (O(1)). */
  record(e: RequestEvent): void {
    let ring = this.rings.get(e.route);
    if (ring === undefined) {
      if (this.rings.size >= this.maxRoutes) return;
      ring = new RouteRing(this.seconds);
      this.rings.set(e.route, ring);
    }
    const second = Math.floor(e.at / 1000);
    const slot = second % this.seconds;
    const base = slot * FIELDS;
    if (ring.stamps[slot] !== second) {
      ring.stamps[slot] = second;
      ring.values.fill(0, base, base + FIELDS);
    }
    ring.values[base + SERVED_KINDS.indexOf(servedKindOf(e))]++;
    ring.values[base + LATENCY] += e.durationMs;
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
    const out: MixSeries = { t: [], primary: [], secondary: [], cache: [], default: [], failed: [], avgMs: [] };
    const ring = this.rings.get(route);
    const current = Math.floor(now / 1000);
    for (let second = current - this.seconds; second < current; second++) {
      out.t.push(second);
      const slot = ((second % this.seconds) + this.seconds) % this.seconds;
      const live = ring !== undefined && ring.stamps[slot] === second;
      let count = 0;
      for (let k = 0; k < SERVED_KINDS.length; k++) {
        const n = live ? ring.values[slot * FIELDS + k] : 0;
        count += n;
        out[SERVED_KINDS[k]].push(n);
      }
      out.avgMs.push(count > 0 ? Math.round((ring!.values[slot * FIELDS + LATENCY] / count) * 10) / 10 : null);
    }
    return out;
  }

  /** Requests per kind over the last `seconds` seconds, the current second included (reacts at once). */
  totals(route: string, now: number): MixTotals {
    const totals = { primary: 0, secondary: 0, cache: 0, default: 0, failed: 0 };
    const ring = this.rings.get(route);
    if (ring === undefined) return totals;
    const current = Math.floor(now / 1000);
    for (let slot = 0; slot < this.seconds; slot++) {
      const second = ring.stamps[slot];
      if (second <= current - this.seconds || second > current) continue;
      for (let k = 0; k < SERVED_KINDS.length; k++) totals[SERVED_KINDS[k]] += ring.values[slot * FIELDS + k];
    }
    return totals;
  }
}
