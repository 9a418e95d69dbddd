/**
 * The steady-state probes of a chaos experiment: an `http` probe (status and body) or a `load`
 * probe (a short load run with tolerances), against the experiment's resolved target.
 */
import { request } from 'undici';
import { httpChatSender } from '../load/http-sender.js';
import { runLoad } from '../load/runner.js';
import type { Probe, ResolvedTarget } from './schema.js';

/** The outcome of one steady-state probe. */
export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs one probe against the target. */
export async function runProbe(probe: Probe, target: ResolvedTarget, signal?: AbortSignal): Promise<ProbeResult> {
  try {
    if (probe.type === 'http') {
      const url = probe.url.startsWith('/') ? new URL(probe.url, target.gateway).href : probe.url;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // Keys go to the gateway only: a probe may name any URL.
      if (new URL(url).origin === new URL(target.gateway).origin) {
        if (target.adminKey && url.includes('/admin/')) headers.authorization = `Bearer ${target.adminKey}`;
        else if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
      }
      const response = await request(url, { method: probe.method, headers, body: probe.body === undefined ? undefined : JSON.stringify(probe.body), signal });
      const text = await response.body.text();
      const statusOk = probe.expectStatus.includes(response.statusCode);
      const bodyOk = probe.expectBodyContains === undefined || text.includes(probe.expectBodyContains);
      return { name: probe.name, ok: statusOk && bodyOk, detail: `HTTP ${response.statusCode}${bodyOk ? '' : `; body lacks '${probe.expectBodyContains}'`}` };
    }
    const sender = httpChatSender({ url: target.gateway, model: probe.model, stream: probe.stream, apiKey: target.apiKey, prompt: 'steady state probe {i}', retryConnectionErrors: probe.retryConnectionErrors });
    try {
      const summary = await runLoad(sender, { model: { kind: 'open', rate: probe.rate }, durationMs: probe.duration, signal });
      const successRate = summary.requests ? 1 - summary.errorRate : 0;
      const failures: string[] = [];
      const t = probe.tolerance;
      if (t.successRate !== undefined && successRate < t.successRate) failures.push(`success ${(successRate * 100).toFixed(1)}% < ${(t.successRate * 100).toFixed(1)}%`);
      if (t.p95Ms !== undefined && summary.latency.p95Ms > t.p95Ms) failures.push(`p95 ${summary.latency.p95Ms} ms > ${t.p95Ms} ms`);
      if (t.p99Ms !== undefined && summary.latency.p99Ms > t.p99Ms) failures.push(`p99 ${summary.latency.p99Ms} ms > ${t.p99Ms} ms`);
      const detail = `${summary.requests} requests, success ${(successRate * 100).toFixed(1)}%, p95 ${summary.latency.p95Ms} ms${failures.length ? ` — ${failures.join('; ')}` : ''}`;
      return { name: probe.name, ok: failures.length === 0, detail };
    } finally {
      await sender.close();
    }
  } catch (error) {
    return { name: probe.name, ok: false, detail: `probe error: ${(error as Error).message}` };
  }
}

