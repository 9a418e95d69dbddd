import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveOpsConfig } from './config.js';
import { prometheusRules, prometheusRulesYaml, promDuration } from './prometheus-rules.js';
import type { PrometheusRuleFile } from './prometheus-rules.js';

describe('Prometheus rules export', () => {
  it('has every built-in alert over Bulwark metric names, with the default thresholds', () => {
    const file = parse(prometheusRulesYaml(resolveOpsConfig())) as PrometheusRuleFile;
    expect(file.groups.map((g) => g.name)).toEqual(['bulwark-alerts', 'bulwark-slo-burn-rate']);
    const byName = new Map(file.groups[0].rules.map((r) => [r.alert, r]));
    expect([...byName.keys()]).toEqual(['BulwarkBreakerOpened', 'BulwarkRouteErrorRateHigh', 'BulwarkGroupErrorRateHigh', 'BulwarkLatencyP95High', 'BulwarkPrimaryUnavailable', 'BulwarkDependencyDown']);
    expect(byName.get('BulwarkBreakerOpened')!.expr).toContain('bulwark_breaker_state');
    expect(byName.get('BulwarkRouteErrorRateHigh')!.expr).toMatch(/rate\(bulwark_requests_total\{status="error"\}\[5m\]\).*> 0\.05 and .*>= 20/);
    expect(byName.get('BulwarkLatencyP95High')!.expr).toMatch(/^histogram_quantile\(0\.95, sum by \(le, gen_ai_request_model\) \(rate\(gen_ai_client_operation_duration_seconds_bucket\[5m\]\)\)\) > 2 /);
    expect(byName.get('BulwarkPrimaryUnavailable')!.expr).toBe('bulwark_group_usable_deployments{role="primary"} == 0');
    expect(byName.get('BulwarkDependencyDown')!.expr).toBe('bulwark_dependency_up == 0');
    for (const r of file.groups[0].rules) expect(['critical', 'warning']).toContain(r.labels.severity);

    const burn = file.groups[1].rules;
    expect(burn).toHaveLength(6); // 3 window pairs × (availability, latency)
    const fast = burn.find((r) => r.labels.slo === 'availability' && r.labels.windows === '1h-5m')!;
    // 14.4 × (1 − 0.995) = 0.072 on both windows.
    expect(fast.expr).toMatch(/\[1h\].*> 0\.072 and .*\[5m\].*> 0\.072$/);
    expect(fast.labels.severity).toBe('critical');
    const ticket = burn.find((r) => r.labels.slo === 'latency' && r.labels.windows === '3d-6h')!;
    expect(ticket.expr).toContain('bulwark_requests_slow_total[3d]');
    expect(ticket.expr).toMatch(/> 0\.05 and/); // 1 × (1 − 0.95)
    expect(ticket.labels.severity).toBe('warning');
  });

  it('follows the configured thresholds, windows and per-route SLOs, and omits disabled rules', () => {
    const config = resolveOpsConfig({
      alerts: { window: '1m', errorRateThreshold: 0.1, latencyP95ThresholdMs: 1500, minRequests: 5, rules: { breakerOpened: false } },
      slo: { availabilityPercent: 99.9, routes: { 'claude.sonnet': { availabilityPercent: 99 } } },
    });
    const file = prometheusRules(config);
    const names = file.groups[0].rules.map((r) => r.alert);
    expect(names).not.toContain('BulwarkBreakerOpened');
    const latency = file.groups[0].rules.find((r) => r.alert === 'BulwarkLatencyP95High')!;
    expect(latency.expr).toContain('[1m]');
    expect(latency.expr).toContain('> 1.5 ');
    const burn = file.groups[1].rules.filter((r) => r.labels.slo === 'availability' && r.labels.windows === '1h-5m');
    expect(burn).toHaveLength(2);
    expect(burn[0].expr).toContain('route="claude.sonnet"');
    expect(burn[0].expr).toContain('> 0.144'); // 14.4 × 1 %
    expect(burn[1].expr).toContain('route!~"claude\\\\.sonnet"');
    expect(burn[1].expr).toContain('> 0.0144'); // 14.4 × 0.1 %
  });

  it('writes Prometheus range durations', () => {
    expect([promDuration(300_000), promDuration(3_600_000), promDuration(21_600_000), promDuration(259_200_000), promDuration(1500)]).toEqual(['5m', '1h', '6h', '3d', '1500ms']);
  });
});
