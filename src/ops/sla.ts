import { SLA_COARSE_BUCKETS, SLA_COARSE_BUCKET_MS, SLA_FINE_BUCKETS, SLA_FINE_BUCKET_MS, SLA_WINDOWS } from './defaults.js';
import { LatencyRing } from './latency-ring.js';
import type { WindowTotals } from './latency-ring.js';
import type { UptimeTracker } from './uptime.js';

/** The rolling windows `sla()` reports. */
export type SlaWindowName = keyof typeof SLA_WINDOWS;
/** Which entities a series belongs to. */
export type SlaScope = 'deployments' | 'groups' | 'routes';

/** Figures over one window. Ratios and latencies are null when the window saw no requests. */
export interface SlaWindowFigures {
  requests: number;
  errors: number;
  /** Percent answered without (server-side) error; client errors count as answered. */
  availabilityPercent: number | null;
  /** errors / requests, 0..1. */
  errorRate: number | null;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** requests / window seconds. */
  throughputRps: number;
}

export interface SlaEntry {
  windows: Record<SlaWindowName, SlaWindowFigures>;
  /** Deployments only: percent of the window the deployment was up (health state over time). */
  uptimePercent?: Record<SlaWindowName, number | null>;
}

/** The JSON served at `GET /admin/sla`. */
export interface SlaReport {
  generatedAt: string;
  windowsMs: Record<SlaWindowName, number>;
  deployments: Record<string, SlaEntry>;
  groups: Record<string, SlaEntry>;
  routes: Record<string, SlaEntry>;
}

/** One entity's series: 10-s buckets for 5 min (1m, 5m windows) and 5-min buckets for 1 h. */
class SlaSeries {
  readonly fine = new LatencyRing(SLA_FINE_BUCKET_MS, SLA_FINE_BUCKETS, [SLA_WINDOWS['1m'] / SLA_FINE_BUCKET_MS, SLA_WINDOWS['5m'] / SLA_FINE_BUCKET_MS]);
  readonly coarse = new LatencyRing(SLA_COARSE_BUCKET_MS, SLA_COARSE_BUCKETS, [SLA_WINDOWS['1h'] / SLA_COARSE_BUCKET_MS]);

  record(at: number, ok: boolean, latencyMs: number): void {
    this.fine.record(at, ok, latencyMs);
    this.coarse.record(at, ok, latencyMs);
  }

  totals(window: SlaWindowName, now: number): Readonly<WindowTotals> {
    return window === '1h' ? this.coarse.window(0, now) : this.fine.window(window === '1m' ? 0 : 1, now);
  }
}

/**
 * Rolling SLA windows (1 min, 5 min, 1 h) per deployment and model group (fed by attempts) and
 * per route (fed by requests, the caller's view). Recording is O(1); memory is bounded (42 buckets
 * per entity, histograms allocated only for buckets that saw traffic); each window keeps a running
 * HDR histogram (bucket leaving = subtracted), so a read is one percentile walk, not a merge.
 *
 * @example sla.record('routes', 'gpt-4', clock.now(), true, 840); sla.figures('routes', 'gpt-4', '5m', now)
 */
export class SlaTracker {
  private readonly series: Record<SlaScope, Map<string, SlaSeries>> = { deployments: new Map(), groups: new Map(), routes: new Map() };

  constructor(private readonly uptime: UptimeTracker) {}

  /** Records one outcome; `ok` false only for server-side errors. */
  record(scope: SlaScope, key: string, at: number, ok: boolean, latencyMs: number): void {
    const map = this.series[scope];
    let series = map.get(key);
    if (!series) map.set(key, (series = new SlaSeries()));
    series.record(at, ok, latencyMs);
  }

  /** Figures for one entity and window (all-null figures when the entity is unknown). */
  figures(scope: SlaScope, key: string, window: SlaWindowName, now: number): SlaWindowFigures {
    return this.figuresOver(this.series[scope].get(key), window, now);
  }

  /** Keys seen in a scope. */
  keys(scope: SlaScope): IterableIterator<string> {
    return this.series[scope].keys();
  }

  report(now: number): SlaReport {
    const report: SlaReport = { generatedAt: new Date(now).toISOString(), windowsMs: { ...SLA_WINDOWS }, deployments: {}, groups: {}, routes: {} };
    for (const scope of ['deployments', 'groups', 'routes'] as const) {
      for (const [key, series] of this.series[scope]) report[scope][key] = this.entry(series, now);
    }
    for (const id of this.uptime.deployments()) {
      const entry = (report.deployments[id] ??= this.entry(undefined, now));
      entry.uptimePercent = {
        '1m': this.uptime.percent(id, now, SLA_WINDOWS['1m']),
        '5m': this.uptime.percent(id, now, SLA_WINDOWS['5m']),
        '1h': this.uptime.percent(id, now, SLA_WINDOWS['1h']),
      };
    }
    return report;
  }

  private entry(series: SlaSeries | undefined, now: number): SlaEntry {
    return {
      windows: {
        '1m': this.figuresOver(series, '1m', now),
        '5m': this.figuresOver(series, '5m', now),
        '1h': this.figuresOver(series, '1h', now),
      },
    };
  }

  private figuresOver(series: SlaSeries | undefined, window: SlaWindowName, now: number): SlaWindowFigures {
    const seconds = SLA_WINDOWS[window] / 1000;
    const t = series?.totals(window, now);
    if (!t || t.count === 0) {
      return { requests: 0, errors: 0, availabilityPercent: null, errorRate: null, avgMs: null, p50Ms: null, p95Ms: null, p99Ms: null, throughputRps: 0 };
    }
    const n = t.count;
    return {
      requests: n,
      errors: t.errors,
      availabilityPercent: ((n - t.errors) / n) * 100,
      errorRate: t.errors / n,
      avgMs: t.sumMs / n,
      p50Ms: t.histogram.getValueAtPercentile(50),
      p95Ms: t.histogram.getValueAtPercentile(95),
      p99Ms: t.histogram.getValueAtPercentile(99),
      throughputRps: n / seconds,
    };
  }
}
