import type { RouterInspection } from '../../llm/router/router-control.js';
import type { BreakerStateName } from '../../llm/router-events.js';
import type { ActiveAlert } from '../alert-types.js';
import type { ClusterSnapshot } from './cluster-view.js';
import type { SlaReport, SlaWindowFigures } from '../sla.js';
import type { MixSeries, MixTotals } from './served-mix.js';
import { HISTORY_BUCKET_MS, HISTORY_BUCKETS, ServedMix } from './served-mix.js';

/** What the dashboard reads each tick (all cheap, all current). */
export interface DashboardSources {
  /** The current router's routes and deployments. */
  inspect(): RouterInspection;
  /** SLA figures (ops). */
  sla(): SlaReport;
  /** Alerts active now (ops). */
  activeAlerts(): ActiveAlert[];
  /** The gateway around the router. */
  gateway(): { inFlight: number; draining: boolean; generation: number };
  /** Every replica's last report, when replicas share Redis (else absent). */
  cluster?(now: number): ClusterSnapshot | undefined;
}

/** Latency and rate figures over the last minute. */
export interface DashboardFigures {
  requests: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  throughputRps: number;
}

/** One deployment in a snapshot: routing state from the router, figures from ops. */
export interface DashboardDeployment {
  id: string;
  provider: string;
  model: string;
  breaker: BreakerStateName;
  /** ms until a half-open probe is allowed, while open. */
  breakerRetryAfterMs: number;
  available: boolean;
  drained: boolean;
  ejected: boolean;
  outstanding: number;
  lastErrorKind: string | null;
  lastErrorAt: number | null;
  figures: DashboardFigures;
}

/** One configured route in a snapshot. */
export interface DashboardRoute {
  name: string;
  required: boolean;
  /** Deployments of the chain new traffic may go to. */
  usable: number;
  cache: boolean;
  hasDefaultResponse: boolean;
  chain: Array<{ group: string; deployments: DashboardDeployment[] }>;
  figures: DashboardFigures;
  /** Who answered over the last minute. */
  mix: MixTotals;
  /** Per second, the last minute. */
  series: MixSeries;
  /** Per minute, the last hour (the SLA windows' resolution). */
  history: MixSeries;
  /** Tokens (input + output) per second over the last minute. */
  tokensPerSecond: number;
}

/** One tenant over the last minute: what it asked, what failed for it (after fallbacks), its tokens. */
export interface DashboardTenant {
  tenant: string;
  requests: number;
  failed: number;
  degraded: number;
  tokensPerSecond: number;
}

/** One `snapshot` message of the dashboard's event stream. */
export interface DashboardSnapshot {
  at: number;
  gateway: { inFlight: number; draining: boolean; generation: number };
  routes: DashboardRoute[];
  tenants: DashboardTenant[];
  alerts: ActiveAlert[];
  /** Per-replica view and cluster total; only when replicas share Redis. */
  cluster?: ClusterSnapshot;
}

const EMPTY_HISTORY = new ServedMix(HISTORY_BUCKETS, 0, HISTORY_BUCKET_MS);
const EMPTY_FIGURES: DashboardFigures = Object.freeze({ requests: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null, throughputRps: 0 });

function figuresOf(f: SlaWindowFigures | undefined): DashboardFigures {
  if (!f) return EMPTY_FIGURES;
  return { requests: f.requests, errorRate: f.errorRate, p50Ms: f.p50Ms, p95Ms: f.p95Ms, p99Ms: f.p99Ms, throughputRps: f.throughputRps };
}

/**
 * Builds one dashboard snapshot: the router's routes (implicit ones left out) with each chain
 * group's deployments, their breaker and 1-minute SLA figures, each route's served-by mix and
 * per-second series, the active alerts and the gateway's state.
 */
export function buildDashboardSnapshot(sources: DashboardSources, mix: ServedMix, now: number, history: ServedMix = EMPTY_HISTORY, tenantMix?: ServedMix): DashboardSnapshot {
  const inspection = sources.inspect();
  const sla = sources.sla();
  const routes: DashboardRoute[] = [];
  for (const route of inspection.routes) {
    if (route.implicit) continue;
    let usable = 0;
    const chain = route.chain.map((group) => ({
      group: group.group,
      deployments: group.deployments.map((d): DashboardDeployment => {
        if (d.available) usable++;
        return {
          id: d.id, provider: d.provider, model: d.model, breaker: d.breaker, breakerRetryAfterMs: d.breakerRetryAfterMs,
          available: d.available, drained: d.drained, ejected: d.ejected, outstanding: d.outstanding,
          lastErrorKind: d.lastErrorKind ?? null, lastErrorAt: d.lastErrorAt ?? null,
          figures: figuresOf(sla.deployments[d.id]?.windows['1m']),
        };
      }),
    }));
    const series = mix.series(route.name, now);
    let tokens = 0;
    for (const n of series.tokens) tokens += n;
    routes.push({
      name: route.name, required: route.required, usable, cache: route.cache, hasDefaultResponse: route.hasDefaultResponse,
      chain, figures: figuresOf(sla.routes[route.name]?.windows['1m']), mix: mix.totals(route.name, now), series,
      history: history.series(route.name, now), tokensPerSecond: series.t.length > 0 ? tokens / series.t.length : 0,
    });
  }
  const tenants: DashboardTenant[] = [];
  for (const tenant of tenantMix?.routes() ?? []) {
    const t = tenantMix!.totals(tenant, now);
    const series = tenantMix!.series(tenant, now);
    let tokens = 0;
    for (const n of series.tokens) tokens += n;
    tenants.push({
      tenant, requests: t.primary + t.secondary + t.cache + t.default + t.failed, failed: t.failed, degraded: t.cache + t.default,
      tokensPerSecond: series.t.length > 0 ? tokens / series.t.length : 0,
    });
  }
  tenants.sort((a, b) => b.requests - a.requests);
  const snapshot: DashboardSnapshot = { at: now, gateway: sources.gateway(), routes, tenants, alerts: sources.activeAlerts() };
  const cluster = sources.cluster?.(now);
  if (cluster !== undefined) snapshot.cluster = cluster;
  return snapshot;
}
