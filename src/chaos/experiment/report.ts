import { escapeHtml, svgChart } from '../report/svg-chart.js';
import type { ExperimentResult } from './run-experiment.js';

/** A self-contained HTML report of an experiment: verdict, hypotheses, timeline and load charts. */
export function experimentReportHtml(result: ExperimentResult): string {
  const colour = result.verdict === 'passed' ? '#16a34a' : '#dc2626';
  const probes = (list: ExperimentResult['before']) =>
    list.map((p) => `<tr><td>${p.ok ? '✓' : '✗'}</td><th>${escapeHtml(p.name)}</th><td>${escapeHtml(p.detail)}</td></tr>`).join('') || '<tr><td colspan="3">not run</td></tr>';
  const series = result.load?.series ?? [];
  const labels = series.map((b) => `${b.second}s`);
  const served = Object.keys(result.load?.servedBy ?? {});
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(result.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}</style></head><body>
<h1>${escapeHtml(result.title)}</h1>
<p style="color:${colour}"><strong>${result.verdict.toUpperCase()}</strong> in ${(result.durationMs / 1000).toFixed(1)} s</p>
${result.reasons.length ? `<ul>${result.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
<h2>Steady state before</h2><table>${probes(result.before)}</table>
<h2>Steady state after</h2><table>${probes(result.after)}</table>
${replicasHtml(result)}
<h2>Timeline</h2><table><tr><th>t (s)</th><th>phase</th><th>what</th><th></th><th>detail</th></tr>
${result.timeline.map((e) => `<tr><td>${(e.atMs / 1000).toFixed(1)}</td><td>${e.phase}</td><td>${escapeHtml(e.what)}</td><td>${e.ok ? '✓' : '✗'}</td><td>${escapeHtml(e.detail ?? '')}</td></tr>`).join('')}</table>
${result.load ? `<h2>Load during the method</h2>
<p>${result.load.requests} requests, ${result.load.errors} errors, p50 ${result.load.latency.medMs} ms, p99 ${result.load.latency.p99Ms} ms</p>
${svgChart([{ name: 'p50', values: series.map((b) => b.p50Ms) }, { name: 'p99', values: series.map((b) => b.p99Ms) }], { title: 'Latency', unit: 'ms', xLabels: labels })}
${svgChart(served.map((name) => ({ name, values: series.map((b) => b.servedBy[name] ?? 0) })), { title: 'Served by (stacked)', xLabels: labels, stacked: true })}` : ''}
</body></html>`;
}

/** The experiment's own replicas: each Chaos Monkey kill and how each replica was used. */
function replicasHtml(result: ExperimentResult): string {
  const r = result.replicas;
  if (!r) return '';
  const kills = r.kills.map((k) => `<tr><td>${(k.atMs / 1000).toFixed(1)}</td><td>replica ${k.index + 1} (port ${k.port})</td><td>pid ${k.pid ?? '?'} SIGKILLed</td><td>${k.newPid === undefined ? 'left down' : `pid ${k.newPid} serving after ${k.downMs} ms`}</td></tr>`).join('');
  const retried = Object.entries(result.connectionRetries ?? {}).map(([code, n]) => `${escapeHtml(code)} ${n}`).join(', ');
  return `<h2>Replicas</h2><p>${r.count} × <code>bulwark serve</code> behind the balancer at ${escapeHtml(r.url)}; connections per replica: ${r.connections.join(' / ')}${retried ? `; connection failures retried by the clients: ${retried}` : ''}</p>
<table><tr><th>t (s)</th><th>replica</th><th>kill</th><th>restart</th></tr>${kills || '<tr><td colspan="4">no kill</td></tr>'}</table>`;
}
