import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { Gateway } from '../../src/gateway/gateway.js';
import { resolveOpsConfig } from '../../src/ops/config.js';
import { prometheusRules, type PrometheusRuleFile } from '../../src/ops/prometheus-rules.js';
import { DOWN, setFaults, startTestGateway } from '../gateway/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MONITORING = resolve(ROOT, 'deploy/monitoring');
const read = (path: string) => readFileSync(resolve(MONITORING, path), 'utf8');

interface Panel { title: string; type: string; targets?: Array<{ expr: string }>; panels?: Panel[] }
interface Dashboard { panels: Panel[]; templating: { list: Array<{ name: string; definition?: string }> } }

/** Metric names a PromQL expression reads: label matchers, grouping labels and strings removed first. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$__rate_interval|\$\w+/g, '');
  return [...new Set(stripped.match(/\b(?:bulwark|gen_ai|nodejs|process)_[a-z0-9_]+\b/g) ?? [])];
}

/** Every sample name in the exposition, and those of every declared family (a labelled family with no sample yet still has its # TYPE). */
function exportedSampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\w+)/.exec(line);
    if (declared) {
      const [, name, type] = declared;
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      else names.add(name);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    names.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]);
  }
  return names;
}

describe('deploy/monitoring: Grafana dashboard, Prometheus Operator objects', () => {
  let gateway: Gateway;
  let exported: Set<string>;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const ask = (stream: boolean) => fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', stream, messages: [{ role: 'user', content: 'hello' }] }),
    }).then((r) => r.text());
    await ask(false);
    await ask(true);
    setFaults(gateway, { primary: DOWN });
    await ask(false); // a failed attempt and a fallback: the error-typed series exist
    const metrics = await fetch(`${gateway.url}/metrics`);
    exported = exportedSampleNames(await metrics.text());
  });
  afterAll(() => gateway?.shutdown(0));

  it('the running gateway exports the runtime and token series the dashboard needs', () => {
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds_sum', 'process_cpu_seconds_total', 'bulwark_tokens_total']) {
      expect(exported, name).toContain(name);
    }
  });

  it('every query of the Grafana dashboard names only metrics the gateway exports', () => {
    const dashboard = JSON.parse(read('grafana-dashboard.json')) as Dashboard;
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(20);
    const queries = [...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
      ...dashboard.templating.list.filter((v) => v.definition).map((v) => ({ where: `variable ${v.name}`, expr: v.definition! }))];
    const missing: string[] = [];
    let named = 0;
    for (const { where, expr } of queries) {
      const names = metricNames(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      named += names.length;
      for (const name of names) if (!exported.has(name)) missing.push(`${where}: ${name}`);
    }
    expect(missing).toEqual([]);
    expect(named).toBeGreaterThanOrEqual(panels.length);
  });

  it('the metric-name check can fail: a misspelt metric is reported', () => {
    expect(metricNames('sum by (route) (rate(bulwark_request_total{route=~"$route"}[5m]))')).toEqual(['bulwark_request_total']);
    expect(exported.has('bulwark_request_total')).toBe(false);
  });

  it('the PrometheusRule is the alerts export at default thresholds, and its queries name exported metrics', () => {
    const rule = parse(read('prometheusrule.yaml')) as { kind: string; spec: PrometheusRuleFile };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec).toEqual(JSON.parse(JSON.stringify(prometheusRules(resolveOpsConfig()))));
    const missing = rule.spec.groups.flatMap((g) => g.rules).flatMap((r) => metricNames(r.expr).filter((n) => !exported.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(missing).toEqual([]);
  });

  it('ServiceMonitor and PodMonitor select the gateway pods and scrape the port the base names', () => {
    const service = parse(readFileSync(resolve(ROOT, 'deploy/kubernetes/base/service.yaml'), 'utf8')) as { metadata: { labels: Record<string, string> }; spec: { ports: Array<{ name: string }> } };
    const deployment = parseAllDocuments(readFileSync(resolve(ROOT, 'deploy/kubernetes/base/deployment.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d.kind === 'Deployment');
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
    const containerPorts = (deployment.spec.template.spec.containers as Array<{ ports: Array<{ name: string }> }>).flatMap((c) => c.ports.map((p) => p.name));
    const serviceMonitor = parse(read('servicemonitor.yaml'));
    expect(serviceMonitor.kind).toBe('ServiceMonitor');
    expect(service.metadata.labels).toMatchObject(serviceMonitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => p.name)).toContain(serviceMonitor.spec.endpoints[0].port);
    expect(serviceMonitor.spec.endpoints[0].path).toBe('/metrics');
    const podMonitor = parse(read('podmonitor.yaml'));
    expect(podMonitor.kind).toBe('PodMonitor');
    expect(podLabels).toMatchObject(podMonitor.spec.selector.matchLabels);
    expect(containerPorts).toContain(podMonitor.spec.podMetricsEndpoints[0].port);
    const kustomization = parse(read('kustomization.yaml'));
    expect(kustomization.resources).toEqual(['servicemonitor.yaml', 'prometheusrule.yaml']);
    expect(kustomization.configMapGenerator[0].files).toEqual(['grafana-dashboard.json']);
  });
});
