import type { DashboardSnapshot } from './dashboard-snapshot.js';

/** Most routes a report lists (the busiest first); the totals count every route. */
export const MAX_REPORT_ROUTES = 24;
/** Most deployments a report lists (breaker states). */
export const MAX_REPORT_DEPLOYMENTS = 96;
/** Names longer than this are cut (ids and route names come from the config). */
const MAX_NAME_CHARS = 80;

/** One deployment's breaker as one replica sees it. */
export interface ReplicaBreaker {
  id: string;
  state: string;
  ejected: boolean;
  drained: boolean;
}

/**
 * What one replica publishes for the cluster's dashboards, every couple of seconds: compact
 * (a few KB), and only names from the config, states and figures — no key, URL, tenant, prompt
 * or answer. Figures are over the last minute and route-level (what users saw, after fallbacks).
 */
export interface ReplicaReport {
  v: 1;
  replica: string;
  /** When it was built (the replica's clock, ms). */
  at: number;
  startedAt: number;
  inFlight: number;
  draining: boolean;
  generation: number;
  requests: number;
  failed: number;
  throughputRps: number;
  /** Request-weighted mean of the routes' mean latency. */
  meanMs: number | null;
  /** The worst route's p99 (percentiles of different routes cannot be merged). */
  p99Ms: number | null;
  tokensPerSecond: number;
  routes: Array<{ name: string; requests: number; failed: number; p99Ms: number | null }>;
  breakers: ReplicaBreaker[];
  /** Routes or deployments were left out to stay within the bound. */
  truncated: boolean;
}

const cut = (name: string) => (name.length > MAX_NAME_CHARS ? name.slice(0, MAX_NAME_CHARS) : name);

/** This replica's report, from the dashboard snapshot it shows its own pages. */
export function replicaReport(snapshot: DashboardSnapshot, replica: string, startedAt: number): ReplicaReport {
  let requests = 0;
  let failed = 0;
  let throughputRps = 0;
  let latencySum = 0;
  let latencyCount = 0;
  let p99Ms: number | null = null;
  let tokensPerSecond = 0;
  const routes: ReplicaReport['routes'] = [];
  const breakers = new Map<string, ReplicaBreaker>();
  for (const route of snapshot.routes) {
    const f = route.figures;
    const routeFailed = f.errorRate === null ? 0 : Math.round(f.errorRate * f.requests);
    requests += f.requests;
    failed += routeFailed;
    throughputRps += f.throughputRps;
    tokensPerSecond += route.tokensPerSecond;
    const s = route.series;
    for (let i = 0; i < s.avgMs.length; i++) {
      const n = s.primary[i]! + s.secondary[i]! + s.cache[i]! + s.default[i]! + s.failed[i]!;
      const avg = s.avgMs[i];
      if (avg === null || avg === undefined || n === 0) continue;
      latencySum += avg * n;
      latencyCount += n;
    }
    if (f.p99Ms !== null && (p99Ms === null || f.p99Ms > p99Ms)) p99Ms = f.p99Ms;
    routes.push({ name: cut(route.name), requests: f.requests, failed: routeFailed, p99Ms: f.p99Ms });
    for (const group of route.chain) {
      for (const d of group.deployments) {
        if (!breakers.has(d.id)) breakers.set(d.id, { id: cut(d.id), state: d.breaker, ejected: d.ejected, drained: d.drained });
      }
    }
  }
  routes.sort((a, b) => b.requests - a.requests);
  const truncated = routes.length > MAX_REPORT_ROUTES || breakers.size > MAX_REPORT_DEPLOYMENTS;
  return {
    v: 1, replica: cut(replica), at: snapshot.at, startedAt,
    inFlight: snapshot.gateway.inFlight, draining: snapshot.gateway.draining, generation: snapshot.gateway.generation,
    requests, failed, throughputRps, meanMs: latencyCount > 0 ? latencySum / latencyCount : null, p99Ms, tokensPerSecond,
    routes: routes.slice(0, MAX_REPORT_ROUTES), breakers: [...breakers.values()].slice(0, MAX_REPORT_DEPLOYMENTS), truncated,
  };
}

/** A report read back from the board, or undefined when it is not one (another version, damaged). */
export function parseReplicaReport(text: string): ReplicaReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<ReplicaReport>;
  if (r.v !== 1 || typeof r.replica !== 'string' || typeof r.at !== 'number' || typeof r.requests !== 'number'
    || typeof r.failed !== 'number' || typeof r.inFlight !== 'number' || !Array.isArray(r.breakers) || !Array.isArray(r.routes)) return undefined;
  return r as ReplicaReport;
}
