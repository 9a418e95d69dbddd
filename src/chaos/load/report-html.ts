import { escapeHtml, svgChart } from '../report/svg-chart.js';
import type { LoadSummary } from './runner.js';

/** A self-contained HTML report of a load run (inline SVG charts, no external assets). */
export function loadReportHtml(summary: LoadSummary, title = 'Bulwark load report'): string {
  const seconds = summary.series.map((b) => `${b.second}s`);
  const servedNames = Object.keys(summary.servedBy);
  const rows = (record: Record<string, number | string>) =>
    Object.entries(record).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`).join('');
  const latency = summary.latency;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
.pass{color:#16a34a}.fail{color:#dc2626}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="${summary.passed && !summary.interrupted ? 'pass' : 'fail'}"><strong>${summary.interrupted ? 'INTERRUPTED' : summary.passed ? 'PASSED' : 'FAILED'}</strong> — ${summary.requests} requests in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.throughputRps.toFixed(1)} req/s), error rate ${(summary.errorRate * 100).toFixed(2)}%</p>
<h2>Thresholds</h2><table>${summary.thresholds.map((t) => `<tr><th>${escapeHtml(t.source)}</th><td>${Number.isFinite(t.observed) ? t.observed.toFixed(3) : 'no data'}</td><td class="${t.ok ? 'pass' : 'fail'}">${t.ok ? 'ok' : 'failed'}</td></tr>`).join('') || '<tr><td>none</td></tr>'}</table>
<h2>Latency (ms, from the intended send time)</h2><table>${rows({ avg: latency.avgMs, min: latency.minMs, med: latency.medMs, p90: latency.p90Ms, p95: latency.p95Ms, p99: latency.p99Ms, max: latency.maxMs })}</table>
${summary.ttft ? `<h2>Time to first token (ms)</h2><table>${rows({ med: summary.ttft.medMs, p95: summary.ttft.p95Ms, p99: summary.ttft.p99Ms })}</table>` : ''}
<h2>Served by</h2><table>${rows(summary.servedBy)}</table>
${Object.keys(summary.errorsByKind).length ? `<h2>Errors</h2><table>${rows(summary.errorsByKind)}</table>` : ''}
${svgChart([
  { name: 'p50', values: summary.series.map((b) => b.p50Ms) },
  { name: 'p99', values: summary.series.map((b) => b.p99Ms) },
], { title: 'Latency per second', unit: 'ms', xLabels: seconds })}
${svgChart([
  { name: 'requests/s', values: summary.series.map((b) => b.requests) },
  { name: 'errors/s', values: summary.series.map((b) => b.errors), color: '#dc2626' },
], { title: 'Throughput and errors', xLabels: seconds })}
${svgChart(servedNames.map((name) => ({ name, values: summary.series.map((b) => b.servedBy[name] ?? 0) })), { title: 'Served by (stacked)', xLabels: seconds, stacked: true })}
</body></html>`;
}
