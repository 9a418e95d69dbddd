import { request } from 'undici';
import { type Clock, sleep, systemClock } from '../../core/clock.js';
import { httpChatSender } from '../load/http-sender.js';
import { type LoadSummary, runLoad } from '../load/runner.js';
import { parseThreshold } from '../load/thresholds.js';
import type { Experiment, Probe, Step } from './schema.js';

/** The outcome of one steady-state probe. */
export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** One line of the experiment's timeline (what ran, when, whether it went well). */
export interface TimelineEntry {
  /** ms since the experiment started. */
  atMs: number;
  phase: 'steady-state-before' | 'method' | 'rollback' | 'steady-state-after';
  what: string;
  ok: boolean;
  detail?: string;
}

/** `passed`: everything held; `failed`: a step, threshold or the hypothesis after failed; `aborted`: the hypothesis before did not hold; `interrupted`: stopped by the signal. */
export type Verdict = 'passed' | 'failed' | 'aborted' | 'interrupted';

/** What {@link runExperiment} returns (also written by `bulwark chaos run --out`). */
export interface ExperimentResult {
  title: string;
  verdict: Verdict;
  /** Why the verdict is not `passed`. */
  reasons: string[];
  before: ProbeResult[];
  after: ProbeResult[];
  load?: LoadSummary;
  timeline: TimelineEntry[];
  durationMs: number;
}

/** Options of {@link runExperiment}; all optional (default: system clock, no signal). */
export interface RunExperimentOptions {
  /** Aborting (e.g. Ctrl-C) stops the method and the load; rollbacks still run. */
  signal?: AbortSignal;
  clock?: Clock;
  /** Called for each timeline entry as it happens (CLI progress). */
  onEvent?: (entry: TimelineEntry) => void;
}

/**
 * Runs a chaos experiment: steady state before (if it does not hold, the method is not run:
 * `aborted`), then the method while load runs, then the rollbacks (always, also on failure or
 * interruption), then the steady state after. `passed` needs both hypotheses to hold, every
 * method step to succeed and the load's thresholds to hold.
 */
export async function runExperiment(experiment: Experiment, options: RunExperimentOptions = {}): Promise<ExperimentResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const timeline: TimelineEntry[] = [];
  const reasons: string[] = [];
  const note = (phase: TimelineEntry['phase'], what: string, ok: boolean, detail?: string) => {
    const entry = { atMs: clock.now() - started, phase, what, ok, detail };
    timeline.push(entry);
    options.onEvent?.(entry);
  };
  const interrupted = () => options.signal?.aborted === true;
  const target = experiment.target;

  const before = await checkSteadyState(experiment, target, 'steady-state-before', note, options.signal);
  if (interrupted()) {
    reasons.push('interrupted while checking the steady state; nothing was changed');
    return { title: experiment.title, verdict: 'interrupted', reasons, before, after: [], timeline, durationMs: clock.now() - started };
  }
  if (!before.every((p) => p.ok)) {
    reasons.push('the steady state did not hold before the method; nothing was changed');
    return { title: experiment.title, verdict: 'aborted', reasons, before, after: [], timeline, durationMs: clock.now() - started };
  }

  let load: LoadSummary | undefined;
  const loadStop = new AbortController();
  const onAbort = () => loadStop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let loadRun: Promise<LoadSummary> | undefined;
  let sender: ReturnType<typeof httpChatSender> | undefined;
  try {
    if (experiment.load) {
      const l = experiment.load;
      sender = httpChatSender({ url: target.gateway, dialect: l.dialect, model: l.model, stream: l.stream, apiKey: target.apiKey, prompt: 'chaos experiment request {i}' });
      const thresholds = Object.entries(l.thresholds).flatMap(([metric, expressions]) => expressions.map((e) => parseThreshold(metric, e)));
      loadRun = runLoad(sender, { model: { kind: 'open', rate: l.rate }, durationMs: l.duration, thresholds, signal: loadStop.signal });
      note('method', `load started: ${l.rate} req/s for ${l.duration} ms`, true);
    }
    for (const [index, step] of experiment.method.entries()) {
      if (interrupted()) break;
      const outcome = await runStepSafely(step, target, clock, options.signal);
      if ('wait' in step && interrupted()) {
        note('method', describe(step), false, 'cut short by the interruption');
        break;
      }
      note('method', describe(step), outcome.ok, outcome.detail);
      if (!outcome.ok) {
        // The fault could not be set up as written: waiting on would test something else.
        reasons.push(`method step failed: ${describe(step)}: ${outcome.detail}`);
        const skipped = experiment.method.length - index - 1;
        if (skipped > 0) reasons.push(`the method stopped at its first failed step; the remaining ${skipped} step(s) did not run`);
        loadStop.abort();
        break;
      }
    }
    if (loadRun) {
      load = await loadRun;
      note('method', `load finished: ${load.requests} requests, ${load.errors} errors, p99 ${load.latency.p99Ms} ms`, load.passed);
      for (const t of load.thresholds) if (!t.ok) reasons.push(`threshold failed: ${t.source} (observed ${Number.isFinite(t.observed) ? t.observed.toFixed(3) : 'no data'})`);
    }
  } finally {
    loadStop.abort();
    await loadRun?.catch(() => undefined);
    await sender?.close();
    options.signal?.removeEventListener('abort', onAbort);
    for (const step of experiment.rollbacks) {
      // Rollbacks ignore the interruption signal: they must run to undo the faults.
      const outcome = await runStepSafely(step, target, clock, undefined);
      note('rollback', describe(step), outcome.ok, outcome.detail);
      if (!outcome.ok) reasons.push(`rollback failed: ${describe(step)}: ${outcome.detail}`);
    }
  }

  if (interrupted()) {
    reasons.push('interrupted; rollbacks ran');
    return { title: experiment.title, verdict: 'interrupted', reasons, before, after: [], load, timeline, durationMs: clock.now() - started };
  }
  const after = await checkSteadyState(experiment, target, 'steady-state-after', note, options.signal);
  if (interrupted()) {
    reasons.push('interrupted while checking the steady state after the rollbacks');
    return { title: experiment.title, verdict: 'interrupted', reasons, before, after, load, timeline, durationMs: clock.now() - started };
  }
  if (!after.every((p) => p.ok)) reasons.push('the steady state did not hold after the experiment');
  return { title: experiment.title, verdict: reasons.length ? 'failed' : 'passed', reasons, before, after, load, timeline, durationMs: clock.now() - started };
}

async function checkSteadyState(experiment: Experiment, target: Experiment['target'], phase: TimelineEntry['phase'], note: (phase: TimelineEntry['phase'], what: string, ok: boolean, detail?: string) => void, signal?: AbortSignal): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of experiment.steadyState.probes) {
    const result = await runProbe(probe, target, signal);
    note(phase, `probe ${probe.name}`, result.ok, result.detail);
    results.push(result);
  }
  return results;
}

/** Runs one probe against the target. */
export async function runProbe(probe: Probe, target: Experiment['target'], signal?: AbortSignal): Promise<ProbeResult> {
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
    const sender = httpChatSender({ url: target.gateway, model: probe.model, stream: probe.stream, apiKey: target.apiKey, prompt: 'steady state probe {i}' });
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

/** Runs a step; an unreachable target or any other exception is a failed step, not a crash. */
async function runStepSafely(step: Step, target: Experiment['target'], clock: Clock, signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
  try {
    return await runStep(step, target, clock, signal);
  } catch (error) {
    return { ok: false, detail: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

async function runStep(step: Step, target: Experiment['target'], clock: Clock, signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
  if ('wait' in step) {
    await sleep(clock, step.wait, signal).catch(() => undefined);
    return { ok: true };
  }
  const json = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await request(url, { method: method as 'GET', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.body.text();
    return { ok: response.statusCode < 400, detail: `HTTP ${response.statusCode}${response.statusCode < 400 ? '' : `: ${text.slice(0, 200)}`}` };
  };
  switch (step.action) {
    case 'mock.profile':
      if (step.patch !== undefined) return json('PATCH', `${target.mock}/_mock/profile`, step.patch);
      return json('PUT', `${target.mock}/_mock/profile`, step.preset !== undefined ? { preset: step.preset } : step.profile);
    case 'mock.reset':
      return json('POST', `${target.mock}/_mock/reset`);
    case 'faults.add':
      return json('POST', `${target.faults}/toxics`, step.toxic);
    case 'faults.remove':
      return json('DELETE', `${target.faults}/toxics/${encodeURIComponent(step.name)}`);
    case 'faults.reset':
      return json('POST', `${target.faults}/reset`);
    case 'gateway.admin':
      return json(step.method, new URL(step.path, target.gateway).href, step.body, target.adminKey ? { authorization: `Bearer ${target.adminKey}` } : {});
    case 'http':
      return json(step.method, step.url, step.body, step.headers);
    case 'probe': {
      const result = await runProbe(step.probe, target, signal);
      return { ok: result.ok, detail: result.detail };
    }
  }
}

function describe(step: Step): string {
  if ('wait' in step) return `wait ${step.wait} ms`;
  switch (step.action) {
    case 'mock.profile': return `mock profile → ${step.preset ?? (step.patch !== undefined ? 'patch' : 'custom profile')}`;
    case 'faults.add': return `add toxic ${String(step.toxic.name ?? step.toxic.type)}`;
    case 'faults.remove': return `remove toxic ${step.name}`;
    case 'gateway.admin': return `gateway ${step.method} ${step.path}`;
    case 'http': return `${step.method} ${step.url}`;
    case 'probe': return `probe ${step.probe.name}`;
    default: return step.action;
  }
}
