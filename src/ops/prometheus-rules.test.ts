import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RUNBOOKS } from './alert-runbooks.js';
import { resolveOpsConfig } from './config.js';
import { prometheusRules, prometheusRulesYaml, promDuration } from './prometheus-rules.js';
import type { PrometheusRuleFile } from './prometheus-rules.js';

describe('Prometheus rules export', () => {
  it('has every built-in alert over Bulwark metric names, with the default thresholds', () => {
    const file = parse(prometheusRulesYaml(resolveOpsConfig())) as PrometheusRuleFile;
    expect(file.groups.map((g) => g.name)).toEqual(['bulwark-alerts', 'bulwark-slo-burn-rate']);
    const byName = new Map(file.groups[0].rules.map((r) => [r.alert, r]));
    expect([...byName.keys()]).toEqual(['BulwarkBreakerOpened', 'BulwarkRouteErrorRateHigh', 'BulwarkGroupErrorRateHigh', 'BulwarkLatencyP95High', 'BulwarkPrimaryUnavailable', 'BulwarkDependencyDown', 'BulwarkEventLoopLagHigh']);
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

  it('gives every rule a for:, a severity, a summary and a runbook_url naming its page in docs/runbooks/', () => {
    const file = prometheusRules(resolveOpsConfig());
    const rules = file.groups.flatMap((g) => g.rules);
    expect(new Set(rules.map((r) => r.alert))).toEqual(new Set(Object.keys(RUNBOOKS)));
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.runbook_url).toBe(`docs/runbooks/${RUNBOOKS[rule.alert as keyof typeof RUNBOOKS]}`);
      const page = readFileSync(resolve(import.meta.dirname, '../..', rule.annotations.runbook_url), 'utf8');
      expect(page, rule.alert).toContain(rule.alert);
      expect(page, rule.alert).toMatch(/## What it means/);
      expect(page, rule.alert).toMatch(/## What to do/);
    }
    expect(prometheusRules(resolveOpsConfig(), { runbookBaseUrl: 'https://wiki.example/runbooks' }).groups[0].rules[0].annotations.runbook_url)
      .toBe('https://wiki.example/runbooks/breaker-opened.md');
  });

  it('is honest about who sees an error: the route error rate (users) is critical, deployment-level signals that fallbacks absorb are warnings', () => {
    const rules = new Map(prometheusRules(resolveOpsConfig()).groups[0].rules.map((r) => [r.alert, r]));
    expect(rules.get('BulwarkRouteErrorRateHigh')!.labels.severity).toBe('critical');
    expect(rules.get('BulwarkRouteErrorRateHigh')!.annotations.summary).toMatch(/users see/);
    for (const absorbed of ['BulwarkGroupErrorRateHigh', 'BulwarkBreakerOpened', 'BulwarkPrimaryUnavailable']) {
      expect(rules.get(absorbed)!.labels.severity, absorbed).toBe('warning');
    }
    expect(rules.get('BulwarkGroupErrorRateHigh')!.annotations.summary).toMatch(/fallbacks absorb/);
  });

  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
  it.runIf(promtool !== undefined)('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-rules-'));
    const path = join(dir, 'rules.yaml');
    writeFileSync(path, prometheusRulesYaml(resolveOpsConfig()));
    expect(execFileSync(promtool!, ['check', 'rules', path], { encoding: 'utf8' })).toMatch(/SUCCESS/);
  });

  it('writes Prometheus range durations', () => {
    expect([promDuration(300_000), promDuration(3_600_000), promDuration(21_600_000), promDuration(259_200_000), promDuration(1500)]).toEqual(['5m', '1h', '6h', '3d', '1500ms']);
  });
});
