/**
 * The drill's reports: a JSON document (every figure, check and per-second series), a
 * self-contained HTML page (inline SVG charts, no external asset) and a plain-text matrix.
 */
import { escapeHtml, svgChart } from '../report/svg-chart.js';
import { DRILL_STEPS, type DrillStep } from './measure.js';
import type { ScenarioResult } from './run-scenario.js';

/** Everything one `bulwark drill` run produced. */
export interface DrillReport {
  mode: 'virtual' | 'real';
  /** Virtual time: the drill's seed (each scenario derives its own from it and its name). */
  seed?: number;
  startedAt: string;
  /** Length of each scenario (ms) and load (requests/s). */
  durationMs: number;
  rate: number;
  slo: number;
  passed: boolean;
  scenarios: ScenarioResult[];
}

const STEP_COLORS: Record<DrillStep, string> = {
  primary: '#2563eb', secondary: '#16a34a', cache: '#d97706', default: '#7c3aed', error: '#dc2626', lost: '#111827',
};

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const ms = (x: number | null) => (x === null ? '—' : `${(x / 1000).toFixed(1)} s`);

/** The served-by mix as `P/S/C/D` counts. */
export function servedMix(result: ScenarioResult): string {
  const s = result.figures.steps;
  return `${s.primary}/${s.secondary}/${s.cache}/${s.default}`;
}

/** A fixed-width text table: scenario, sent, served-by mix, continued streams, errors, lost, TTD, RTO, availability, p99, verdict. */
export function formatMatrix(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'sent', 'P/S/C/D', 'cont.', 'errors', 'lost', 'TTD', 'RTO', 'avail.', 'budget', 'p95', 'p99', 'verdict'];
  const rows = results.map((r) => [
    r.scenario,
    String(r.figures.sent),
    servedMix(r),
    String(r.figures.continued),
    String(r.figures.steps.error),
    String(r.figures.lost),
    ms(r.figures.ttdMs),
    ms(r.figures.rtoMs),
    pct(r.figures.availability),
    pct(r.figures.errorBudgetUsed),
    `${Math.round(r.figures.latency.p95Ms)} ms`,
    `${Math.round(r.figures.latency.p99Ms)} ms`,
    r.passed ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The failed checks of a result, one per line. */
export function formatFailures(result: ScenarioResult): string {
  return result.checks.filter((c) => !c.ok).map((c) => `  ${result.scenario}: ${c.name} ${c.observed} (target ${c.target})`).join('\n');
}

function scenarioHtml(r: ScenarioResult): string {
  const labels = r.seconds.map((b) => `${b.second}s`);
  const f = r.figures;
  const cell = (v: string) => `<td>${escapeHtml(v)}</td>`;
  const deployments = Object.entries(f.byDeployment).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `<section><h2 id="${escapeHtml(r.scenario)}">${escapeHtml(r.title)} <span class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</span></h2>
<p>Fault from ${(r.fault.startMs / 1000).toFixed(1)} s to ${(r.fault.endMs / 1000).toFixed(1)} s${r.restartMs !== undefined ? ` (the restart took ${(r.restartMs / 1000).toFixed(1)} s until the gateway served again)` : ''}${r.seed !== undefined ? `; replay: <code>bulwark drill --virtual --seed ${r.seed} ${escapeHtml(r.scenario)}</code>` : ''}.</p>
<table><tr><th>sent</th><th>primary</th><th>secondary</th><th>cache</th><th>default</th><th>errors</th><th>lost</th><th>TTD</th><th>RTO</th><th>availability</th><th>error budget used</th><th>p95</th><th>p99</th></tr>
<tr>${[String(f.sent), String(f.steps.primary), String(f.steps.secondary), String(f.steps.cache), String(f.steps.default), String(f.steps.error), String(f.lost), ms(f.ttdMs), ms(f.rtoMs), pct(f.availability), pct(f.errorBudgetUsed), `${Math.round(f.latency.p95Ms)} ms`, `${Math.round(f.latency.p99Ms)} ms`].map(cell).join('')}</tr></table>
<p>By deployment: ${escapeHtml(deployments)}</p>
<table><tr><th>check</th><th>target</th><th>observed</th><th></th></tr>${r.checks.map((c) => `<tr>${cell(c.name)}${cell(c.target)}${cell(c.observed)}<td class="${c.ok ? 'pass' : 'fail'}">${c.ok ? 'ok' : 'failed'}</td></tr>`).join('')}</table>
${svgChart([{ name: 'p50', values: r.seconds.map((b) => b.p50Ms) }, { name: 'p99', values: r.seconds.map((b) => b.p99Ms) }], { title: 'Latency per second (by send time)', unit: 'ms', xLabels: labels })}
${svgChart(DRILL_STEPS.map((step) => ({ name: step, color: STEP_COLORS[step], values: r.seconds.map((b) => b.steps[step]) })), { title: 'Served by step per second (stacked)', xLabels: labels, stacked: true })}
</section>`;
}

/** The HTML report. */
export function drillReportHtml(report: DrillReport): string {
  const title = `Bulwark disaster-recovery drill (${report.mode} time)`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
.pass{color:#16a34a}.fail{color:#dc2626}pre{background:#f5f5f5;padding:8px}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="${report.passed ? 'pass' : 'fail'}"><strong>${report.passed ? 'PASSED' : 'FAILED'}</strong> — ${report.scenarios.length} scenarios, ${(report.durationMs / 1000).toFixed(0)} s each at ${report.rate} req/s, SLO ${pct(report.slo)}, started ${escapeHtml(report.startedAt)}${report.seed !== undefined ? `, seed ${report.seed}` : ''}.</p>
<pre>${escapeHtml(formatMatrix(report.scenarios))}</pre>
<p>P/S/C/D: answers from the primary model, the secondary model, the stale-if-error cache and the default answer (by the x-bulwark-* headers: the deployment a stream started on). cont.: broken streams continued on another deployment (seen on virtual time only). Lost: no answer and no clear error within the client's ${report.scenarios[0] ? report.scenarios[0].plan.requestTimeoutMs / 1000 : '—'} s timeout. TTD: fault start → first breaker open or first answer from outside the faulted deployments. RTO: fault end → first answer from a recovering deployment.</p>
${report.scenarios.map(scenarioHtml).join('\n')}
</body></html>`;
}
