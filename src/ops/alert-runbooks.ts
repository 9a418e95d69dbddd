/**
 * Where each alert's runbook lives: one page per alert in `docs/runbooks/` (what it means, what
 * to do). Prometheus rules carry `runbook_url = <base><page>`; the base defaults to the path in
 * the Bulwark repository and package, and `bulwark alerts export --runbook-base-url` points it at
 * wherever a team serves those pages (a wiki, a repository browser).
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'docs/runbooks/';

/** Runbook page per Prometheus alert name (and per built-in alert rule name). */
export const RUNBOOKS = {
  BulwarkBreakerOpened: 'breaker-opened.md',
  BulwarkRouteErrorRateHigh: 'route-error-rate.md',
  BulwarkGroupErrorRateHigh: 'deployment-error-rate.md',
  BulwarkLatencyP95High: 'latency-p95.md',
  BulwarkPrimaryUnavailable: 'primary-unavailable.md',
  BulwarkDependencyDown: 'dependency-down.md',
  BulwarkSloAvailabilityBurnRate: 'slo-availability-burn-rate.md',
  BulwarkSloLatencyBurnRate: 'slo-latency-burn-rate.md',
  BulwarkEventLoopLagHigh: 'event-loop-lag.md',
} as const;

export type AlertName = keyof typeof RUNBOOKS;

/** The built-in (in-process) rule names and the Prometheus alert their runbook is shared with. */
export const BUILTIN_RULE_RUNBOOKS: Readonly<Record<string, AlertName>> = {
  breaker_opened: 'BulwarkBreakerOpened',
  error_rate: 'BulwarkRouteErrorRateHigh',
  latency_p95: 'BulwarkLatencyP95High',
  primary_unavailable: 'BulwarkPrimaryUnavailable',
  dependency_down: 'BulwarkDependencyDown',
  slo_burn_rate: 'BulwarkSloAvailabilityBurnRate',
};

/** `runbook_url` of an alert. */
export function runbookUrl(alert: AlertName, baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${RUNBOOKS[alert]}`;
}
