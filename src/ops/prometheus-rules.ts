import { stringify } from 'yaml';
import type { ResolvedOpsConfig, SloObjective } from './config.js';
import { DEFAULT_RUNBOOK_BASE_URL, runbookUrl, type AlertName } from './alert-runbooks.js';

/** One Prometheus alerting rule. */
export interface PrometheusRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A Prometheus rule file: `groups: [{ name, rules }]`. */
export interface PrometheusRuleFile {
  groups: Array<{ name: string; rules: PrometheusRule[] }>;
}

/** `3600000` → `1h`, `300000` → `5m`, `259200000` → `3d` (Prometheus range syntax). */
export function promDuration(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const num = (x: number) => String(Number(x.toPrecision(6)));
const quote = (s: string) => JSON.stringify(s);

/** Options of {@link prometheusRules}. */
export interface PrometheusRulesOptions {
  /** Prefix of every `runbook_url` (default {@link DEFAULT_RUNBOOK_BASE_URL}: the pages in docs/runbooks/). */
  runbookBaseUrl?: string;
}

/** How long a condition must hold before each alert fires (`for:`): long enough to skip one blip, short next to its window. */
export const ALERT_FOR: Readonly<Record<AlertName, string>> = {
  BulwarkBreakerOpened: '1m',
  BulwarkRouteErrorRateHigh: '2m',
  BulwarkGroupErrorRateHigh: '5m',
  BulwarkLatencyP95High: '5m',
  BulwarkPrimaryUnavailable: '1m',
  BulwarkDependencyDown: '1m',
  BulwarkSloAvailabilityBurnRate: '2m',
  BulwarkSloLatencyBurnRate: '2m',
  BulwarkEventLoopLagHigh: '5m',
};

/**
 * The Prometheus equivalent of the in-process alerts, over Bulwark's own metric names: breaker
 * opened, route and group error rate, route p95 latency (histogram_quantile over the GenAI
 * duration buckets — approximate where the threshold falls between bucket bounds), primary group
 * unavailable, and the SLO multi-window burn-rate pairs for availability and latency.
 * Routes with their own SLO get their own burn-rate rules; the rest share the default objective.
 */
export function prometheusRules(config: ResolvedOpsConfig, options: PrometheusRulesOptions = {}): PrometheusRuleFile {
  const base = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const a = config.alerts;
  const w = a.window;
  const min = a.minRequests;
  const core: PrometheusRule[] = [];
  if (a.rules.breakerOpened) {
    core.push({
      alert: 'BulwarkBreakerOpened',
      expr: 'bulwark_breaker_state > 0 and bulwark_breaker_state < 4',
      labels: { severity: 'warning' },
      annotations: { summary: 'Circuit breaker of deployment {{ $labels.deployment }} (group {{ $labels.group }}) is not closed: its traffic goes to fallbacks', description: 'State 1 open, 2 half-open, 3 isolated. Users are affected only if the route error rate rises too (BulwarkRouteErrorRateHigh).' },
    });
  }
  if (a.rules.errorRate) {
    core.push({
      alert: 'BulwarkRouteErrorRateHigh',
      expr: `(sum by (route) (rate(bulwark_requests_total{status="error"}[${w}])) / sum by (route) (rate(bulwark_requests_total[${w}]))) > ${num(a.errorRateThreshold)} and sum by (route) (increase(bulwark_requests_total[${w}])) >= ${min}`,
      labels: { severity: 'critical' },
      annotations: { summary: `Route {{ $labels.route }} fails ${num(a.errorRateThreshold * 100)}%+ of requests over ${w}: users see these errors`, description: 'Route error rate (after every fallback): {{ $value | humanizePercentage }}' },
    });
    core.push({
      alert: 'BulwarkGroupErrorRateHigh',
      expr: `(sum by (group) (rate(bulwark_attempts_total{status="error"}[${w}])) / sum by (group) (rate(bulwark_attempts_total[${w}]))) > ${num(a.errorRateThreshold)} and sum by (group) (increase(bulwark_attempts_total[${w}])) >= ${min}`,
      labels: { severity: 'warning' },
      annotations: { summary: `Deployments of model group {{ $labels.group }} fail ${num(a.errorRateThreshold * 100)}%+ of upstream attempts over ${w}: fallbacks absorb them`, description: 'Deployment (attempt) error rate: {{ $value | humanizePercentage }}. Users see only the route error rate.' },
    });
  }
  if (a.rules.latencyP95) {
    core.push({
      alert: 'BulwarkLatencyP95High',
      expr: `histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket[${w}]))) > ${num(a.latencyP95ThresholdMs / 1000)} and sum by (gen_ai_request_model) (increase(gen_ai_client_operation_duration_seconds_count[${w}])) >= ${min}`,
      labels: { severity: 'warning' },
      annotations: { summary: `p95 latency of route {{ $labels.gen_ai_request_model }} above ${a.latencyP95ThresholdMs} ms over ${w}`, description: 'p95: {{ $value }} s' },
    });
  }
  if (a.rules.primaryUnavailable) {
    core.push({
      alert: 'BulwarkPrimaryUnavailable',
      expr: 'bulwark_group_usable_deployments{role="primary"} == 0',
      labels: { severity: 'warning' },
      annotations: { summary: 'Primary model group {{ $labels.group }} has no usable deployment: traffic is on fallbacks', description: 'Every deployment is open, isolated or ejected.' },
    });
  }
  if (a.rules.dependencyDown) {
    core.push({
      alert: 'BulwarkDependencyDown',
      expr: 'bulwark_dependency_up == 0',
      labels: { severity: 'warning' },
      annotations: { summary: '{{ $labels.dependency }} is unreachable from {{ $labels.instance }}: replicas decide on local state', description: 'Breakers, limits and the cache are no longer shared until it is back.' },
    });
  }
  core.push({
    alert: 'BulwarkEventLoopLagHigh',
    expr: 'nodejs_eventloop_lag_p99_seconds > 0.2',
    labels: { severity: 'warning' },
    annotations: { summary: 'Event loop of {{ $labels.instance }} lags {{ $value | humanizeDuration }} at p99: every request there waits that long', description: 'CPU-starved or blocked replica.' },
  });
  const groups: PrometheusRuleFile['groups'] = [{ name: 'bulwark-alerts', rules: core }];
  if (a.rules.sloBurnRate && config.slo.enabled) groups.push({ name: 'bulwark-slo-burn-rate', rules: burnRateRules(config) });
  for (const group of groups) group.rules = group.rules.map((rule) => withRunbook(rule, base));
  return { groups };
}

function burnRateRules(config: ResolvedOpsConfig): PrometheusRule[] {
  const rules: PrometheusRule[] = [];
  const overridden = Object.keys(config.slo.routes);
  const targets: Array<{ selector: string; objective: Required<SloObjective> }> = overridden.map((route) => ({
    selector: `route=${quote(route)}`, objective: config.slo.routes[route],
  }));
  targets.push({ selector: overridden.length > 0 ? `route!~${quote(overridden.map(escapeRegex).join('|'))}` : '', objective: config.slo.defaults });
  for (const { selector, objective } of targets) {
    const sel = selector ? `,${selector}` : '';
    for (const pair of config.slo.burnRates) {
      const long = promDuration(pair.longMs);
      const short = promDuration(pair.shortMs);
      const severity = pair.severity === 'page' ? 'critical' : 'warning';
      const availBudget = 1 - objective.availabilityPercent / 100;
      const availRatio = (range: string) =>
        `sum by (route) (rate(bulwark_requests_total{status="error"${sel}}[${range}])) / sum by (route) (rate(bulwark_requests_total{status!="client_error"${sel}}[${range}]))`;
      rules.push({
        alert: 'BulwarkSloAvailabilityBurnRate',
        expr: `(${availRatio(long)}) > ${num(pair.factor * availBudget)} and (${availRatio(short)}) > ${num(pair.factor * availBudget)}`,
        labels: { severity, slo: 'availability', windows: pair.name },
        annotations: { summary: `Route {{ $labels.route }} burns its ${objective.availabilityPercent}% availability budget faster than ${pair.factor}x (${long} and ${short})` },
      });
      const latencyBudget = 1 - objective.latencyPercent / 100;
      const slowRatio = (range: string) =>
        `sum by (route) (rate(bulwark_requests_slow_total${selector ? `{${selector}}` : ''}[${range}])) / sum by (route) (rate(bulwark_requests_total{status!="client_error"${sel}}[${range}]))`;
      rules.push({
        alert: 'BulwarkSloLatencyBurnRate',
        expr: `(${slowRatio(long)}) > ${num(pair.factor * latencyBudget)} and (${slowRatio(short)}) > ${num(pair.factor * latencyBudget)}`,
        labels: { severity, slo: 'latency', windows: pair.name },
        annotations: { summary: `Route {{ $labels.route }} burns its latency budget (${objective.latencyPercent}% under ${objective.latencyThresholdMs} ms) faster than ${pair.factor}x (${long} and ${short})` },
      });
    }
  }
  return rules;
}

// Every rule gets its `for:` and `runbook_url`, in one place.
function withRunbook(rule: PrometheusRule, base: string): PrometheusRule {
  const name = rule.alert as AlertName;
  return { alert: rule.alert, expr: rule.expr, for: ALERT_FOR[name], labels: rule.labels, annotations: { ...rule.annotations, runbook_url: runbookUrl(name, base) } };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The rule file as YAML (long expressions kept on one line). */
export function prometheusRulesYaml(config: ResolvedOpsConfig, options: PrometheusRulesOptions = {}): string {
  return stringify(prometheusRules(config, options), { lineWidth: 0 });
}
