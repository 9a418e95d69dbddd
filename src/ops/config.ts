import { InvalidOptionsError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { BurnRateWindowPair } from './defaults.js';
import * as D from './defaults.js';

/** A duration: milliseconds, or a string such as `"30s"`, `"5m"`. */
export type DurationInput = number | string;

/** Which routes exist and which groups (and deployments) serve them: drives primary-unavailable and health. */
export interface OpsTopology {
  /** Model group → deployment ids. */
  groups?: Record<string, string[]>;
  /** Route name → its fallback chain of model groups (primary first) and whether it is required (default true). */
  routes?: Record<string, { chain: string[]; required?: boolean }>;
}

/** One SLO objective; unset fields take the defaults (99.5 % availability, 95 % under 2000 ms). */
export interface SloObjective {
  availabilityPercent?: number;
  latencyThresholdMs?: number;
  latencyPercent?: number;
}

/** `slo:` — the default objective for every route, per-route overrides, and the burn-rate table. */
export interface SloConfig extends SloObjective {
  /** Default true. */
  enabled?: boolean;
  /** Per-route overrides of the objective. */
  routes?: Record<string, SloObjective>;
  /** Default {@link D.DEFAULT_BURN_RATE_PAIRS}. */
  burnRates?: BurnRateWindowPair[];
}

/** Where alert notifications go (`alerts.sinks[]`). */
export type SinkConfig =
  | { type: 'log' }
  /** Generic JSON webhook: POSTs the notification object. Headers may carry a token; it is never logged. */
  | { type: 'webhook'; url: string; headers?: Record<string, string>; name?: string }
  /** Slack-compatible incoming webhook: POSTs `{ text, blocks }`. */
  | { type: 'slack'; url: string; name?: string };

/** `alerts:` — on by default with the course's thresholds. */
export interface AlertsConfig {
  /** Default true: alerts are on with the course's thresholds. */
  enabled?: boolean;
  /** Evaluation tick. Default 10 s. */
  evaluateEvery?: DurationInput;
  /** A still-active alert is re-sent at most this often. Default 30 min. */
  repeatInterval?: DurationInput;
  /** Window for error-rate and latency rules. Default `5m`. */
  window?: '1m' | '5m' | '1h';
  /** Requests needed in the window before error-rate/latency may fire. Default 20. */
  minRequests?: number;
  /** Default 0.05. */
  errorRateThreshold?: number;
  /** Default 2000. */
  latencyP95ThresholdMs?: number;
  /** Each rule on by default. */
  rules?: { breakerOpened?: boolean; errorRate?: boolean; latencyP95?: boolean; primaryUnavailable?: boolean; sloBurnRate?: boolean; dependencyDown?: boolean };
  /** Default `[{ type: 'log' }]`. */
  sinks?: SinkConfig[];
  /** Recent alert events kept for the dashboard. Default 200. */
  timelineSize?: number;
  delivery?: { queueSize?: number; maxAttempts?: number; baseDelay?: DurationInput; maxDelay?: DurationInput; timeout?: DurationInput };
}

/** Everything `createOps` accepts. Every field is optional. */
export interface OpsConfig {
  topology?: OpsTopology;
  /** Tenants that get their own label value; every other tenant is counted as `other`. */
  metrics?: { tenants?: string[] };
  slo?: SloConfig;
  alerts?: AlertsConfig;
  health?: { errorRateThreshold?: number; latencyP95Ms?: number; minRequests?: number };
  probes?: { enabled?: boolean; interval?: DurationInput; timeout?: DurationInput };
}

/** {@link OpsConfig} with every default applied and every field checked: built once, frozen. */
export interface ResolvedOpsConfig {
  groups: Record<string, string[]>;
  routes: Record<string, { chain: string[]; required: boolean }>;
  tenants: ReadonlySet<string>;
  slo: { enabled: boolean; defaults: Required<SloObjective>; routes: Record<string, Required<SloObjective>>; burnRates: readonly BurnRateWindowPair[] };
  alerts: {
    enabled: boolean;
    evaluateEveryMs: number;
    repeatIntervalMs: number;
    window: '1m' | '5m' | '1h';
    minRequests: number;
    errorRateThreshold: number;
    latencyP95ThresholdMs: number;
    rules: { breakerOpened: boolean; errorRate: boolean; latencyP95: boolean; primaryUnavailable: boolean; sloBurnRate: boolean; dependencyDown: boolean };
    sinks: SinkConfig[];
    timelineSize: number;
    delivery: { queueSize: number; maxAttempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  };
  health: { errorRateThreshold: number; latencyP95Ms: number; minRequests: number };
  probes: { enabled: boolean; intervalMs: number; timeoutMs: number };
}

function fail(field: string, rule: string, value: unknown): never {
  throw new InvalidOptionsError(`ops: ${field} ${rule} (got ${JSON.stringify(value)})`);
}
function num(field: string, value: unknown, fallback: number, min: number, max = Infinity, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(field, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, value);
  }
  return value;
}
function dur(field: string, value: DurationInput | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value, `ops: ${field}`);
  if (ms < min) fail(field, `must be at least ${min} ms`, value);
  return ms;
}
function bool(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(field, 'must be true or false', value);
  return value;
}

function objective(field: string, o: SloObjective | undefined, base: Required<SloObjective>): Required<SloObjective> {
  return {
    availabilityPercent: num(`${field}.availabilityPercent`, o?.availabilityPercent, base.availabilityPercent, 0, 99.9999),
    latencyThresholdMs: num(`${field}.latencyThresholdMs`, o?.latencyThresholdMs, base.latencyThresholdMs, 1),
    latencyPercent: num(`${field}.latencyPercent`, o?.latencyPercent, base.latencyPercent, 0, 99.9999),
  };
}

function sink(field: string, s: SinkConfig): SinkConfig {
  if (!s || typeof s !== 'object') fail(field, 'must be an object', s);
  if (s.type === 'log') return { type: 'log' };
  if (s.type !== 'webhook' && s.type !== 'slack') fail(`${field}.type`, 'must be one of log, webhook, slack', (s as { type: unknown }).type);
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    // The URL may embed a token (Slack webhooks do): name the field, never echo the value.
    throw new InvalidOptionsError(`ops: ${field}.url must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidOptionsError(`ops: ${field}.url must use http or https`);
  return { ...s };
}

/** Applies defaults and validates; throws InvalidOptionsError naming the field and value. */
export function resolveOpsConfig(config: OpsConfig = {}): ResolvedOpsConfig {
  const groups: Record<string, string[]> = {};
  for (const [group, ids] of Object.entries(config.topology?.groups ?? {})) {
    if (!Array.isArray(ids)) fail(`topology.groups.${group}`, 'must be a list of deployment ids', ids);
    groups[group] = [...ids];
  }
  const routes: Record<string, { chain: string[]; required: boolean }> = {};
  for (const [route, r] of Object.entries(config.topology?.routes ?? {})) {
    if (!r || !Array.isArray(r.chain) || r.chain.length === 0) fail(`topology.routes.${route}.chain`, 'must be a non-empty list of groups', r?.chain);
    routes[route] = { chain: [...r.chain], required: bool(`topology.routes.${route}.required`, r.required, true) };
  }
  const slo = config.slo ?? {};
  const sloDefaults = objective('slo', slo, {
    availabilityPercent: D.DEFAULT_SLO_AVAILABILITY_PERCENT,
    latencyThresholdMs: D.DEFAULT_SLO_LATENCY_THRESHOLD_MS,
    latencyPercent: D.DEFAULT_SLO_LATENCY_PERCENT,
  });
  const sloRoutes: Record<string, Required<SloObjective>> = {};
  for (const [route, o] of Object.entries(slo.routes ?? {})) sloRoutes[route] = objective(`slo.routes.${route}`, o, sloDefaults);
  const burnRates = (slo.burnRates ?? D.DEFAULT_BURN_RATE_PAIRS).map((p, i) => {
    const f = `slo.burnRates[${i}]`;
    num(`${f}.factor`, p.factor, 1, 0.000001);
    num(`${f}.shortMs`, p.shortMs, 1, 1);
    num(`${f}.longMs`, p.longMs, 1, p.shortMs, D.BURN_COARSE_BUCKET_MS * D.BURN_COARSE_BUCKETS);
    return Object.freeze({ ...p });
  });

  const a = config.alerts ?? {};
  const d = a.delivery ?? {};
  const window = a.window ?? D.DEFAULT_ALERT_WINDOW;
  if (!(window in D.SLA_WINDOWS)) fail('alerts.window', 'must be one of 1m, 5m, 1h', window);
  const sinks = (a.sinks ?? [{ type: 'log' as const }]).map((s, i) => sink(`alerts.sinks[${i}]`, s));

  const resolved: ResolvedOpsConfig = {
    groups,
    routes,
    tenants: new Set(config.metrics?.tenants ?? []),
    slo: { enabled: bool('slo.enabled', slo.enabled, true), defaults: sloDefaults, routes: sloRoutes, burnRates },
    alerts: {
      enabled: bool('alerts.enabled', a.enabled, true),
      evaluateEveryMs: dur('alerts.evaluateEvery', a.evaluateEvery, D.DEFAULT_ALERT_EVALUATE_EVERY_MS, 100),
      repeatIntervalMs: dur('alerts.repeatInterval', a.repeatInterval, D.DEFAULT_ALERT_REPEAT_INTERVAL_MS),
      window,
      minRequests: num('alerts.minRequests', a.minRequests, D.DEFAULT_ALERT_MIN_REQUESTS, 1, Infinity, true),
      errorRateThreshold: num('alerts.errorRateThreshold', a.errorRateThreshold, D.DEFAULT_ERROR_RATE_THRESHOLD, 0, 1),
      latencyP95ThresholdMs: num('alerts.latencyP95ThresholdMs', a.latencyP95ThresholdMs, D.DEFAULT_LATENCY_P95_THRESHOLD_MS, 1),
      rules: {
        breakerOpened: bool('alerts.rules.breakerOpened', a.rules?.breakerOpened, true),
        errorRate: bool('alerts.rules.errorRate', a.rules?.errorRate, true),
        latencyP95: bool('alerts.rules.latencyP95', a.rules?.latencyP95, true),
        primaryUnavailable: bool('alerts.rules.primaryUnavailable', a.rules?.primaryUnavailable, true),
        sloBurnRate: bool('alerts.rules.sloBurnRate', a.rules?.sloBurnRate, true),
        dependencyDown: bool('alerts.rules.dependencyDown', a.rules?.dependencyDown, true),
      },
      sinks,
      timelineSize: num('alerts.timelineSize', a.timelineSize, D.DEFAULT_ALERT_TIMELINE_SIZE, 1, 100_000, true),
      delivery: {
        queueSize: num('alerts.delivery.queueSize', d.queueSize, D.DEFAULT_DELIVERY_QUEUE_SIZE, 1, 1_000_000, true),
        maxAttempts: num('alerts.delivery.maxAttempts', d.maxAttempts, D.DEFAULT_DELIVERY_MAX_ATTEMPTS, 1, 100, true),
        baseDelayMs: dur('alerts.delivery.baseDelay', d.baseDelay, D.DEFAULT_DELIVERY_BASE_DELAY_MS, 0),
        maxDelayMs: dur('alerts.delivery.maxDelay', d.maxDelay, D.DEFAULT_DELIVERY_MAX_DELAY_MS, 0),
        timeoutMs: dur('alerts.delivery.timeout', d.timeout, D.DEFAULT_DELIVERY_TIMEOUT_MS),
      },
    },
    health: {
      errorRateThreshold: num('health.errorRateThreshold', config.health?.errorRateThreshold, D.DEFAULT_HEALTH_ERROR_RATE_THRESHOLD, 0, 1),
      latencyP95Ms: num('health.latencyP95Ms', config.health?.latencyP95Ms, D.DEFAULT_HEALTH_LATENCY_P95_MS, 1),
      minRequests: num('health.minRequests', config.health?.minRequests, D.DEFAULT_HEALTH_MIN_REQUESTS, 1, Infinity, true),
    },
    probes: {
      enabled: bool('probes.enabled', config.probes?.enabled, true),
      intervalMs: dur('probes.interval', config.probes?.interval, D.DEFAULT_PROBE_INTERVAL_MS, 100),
      timeoutMs: dur('probes.timeout', config.probes?.timeout, D.DEFAULT_PROBE_TIMEOUT_MS),
    },
  };
  return Object.freeze(resolved);
}

/** The objective for `route` (its override, else the defaults). */
export function objectiveFor(config: ResolvedOpsConfig, route: string): Required<SloObjective> {
  return config.slo.routes[route] ?? config.slo.defaults;
}

/** Groups that are the primary (first in chain) of at least one route. */
export function primaryGroups(config: ResolvedOpsConfig): Set<string> {
  const primaries = new Set<string>();
  for (const r of Object.values(config.routes)) primaries.add(r.chain[0]);
  return primaries;
}
