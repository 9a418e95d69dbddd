import { resolve } from 'node:path';
import { type Clock, systemClock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import { type ReplicaKill, type ReplicaSet, startReplicaSet } from '../balancer/replica-set.js';
import { httpChatSender } from '../load/http-sender.js';
import { type LoadSummary, runLoad } from '../load/runner.js';
import { parseThreshold } from '../load/thresholds.js';
import { type ProbeResult, runProbe } from './probe.js';
import type { Experiment, ResolvedTarget } from './schema.js';
import { describeStep as describe, runStepSafely, type StepContext } from './steps.js';

export type { ProbeResult } from './probe.js';

/** One line of the experiment's timeline (what ran, when, whether it went well). */
export interface TimelineEntry {
  /** ms since the experiment started. */
  atMs: number;
  phase: 'setup' | 'steady-state-before' | 'method' | 'rollback' | 'steady-state-after';
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
  /** Connection failures the load's clients retried (`load.retryConnectionErrors`), by code: requests a killed replica cut. */
  connectionRetries?: Record<string, number>;
  /** The experiment's own replicas (`replicas:`): where they ran, each kill, the balancer's connections per replica. */
  replicas?: { count: number; url: string; ports: number[]; kills: Array<ReplicaKill & { atMs: number }>; connections: number[] };
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
  /** Where `replicas.config` is resolved from (the experiment file's folder). Default the working directory. */
  baseDir?: string;
  /** Where the replicas' output goes (appended). Default: discarded. */
  replicaLogFile?: string;
  /** Picks the replica `replica.kill` kills. Default `Math.random`. */
  random?: RandomSource;
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
  const declared = experiment.replicas;
  if (!declared) return runOn(experiment, { ...experiment.target, gateway: experiment.target.gateway! }, undefined, started, options);
  let replicas: ReplicaSet;
  try {
    replicas = await startReplicaSet({
      configPath: resolve(options.baseDir ?? '.', declared.config), replicas: declared.count, balancerPort: declared.port,
      env: declared.env, logFile: options.replicaLogFile, random: options.random,
    });
  } catch (error) {
    const reasons = [`the replicas could not start: ${(error as Error).message}; nothing was changed`];
    return { title: experiment.title, verdict: 'aborted', reasons, before: [], after: [], timeline: [], durationMs: clock.now() - started };
  }
  try {
    return await runOn(experiment, { ...experiment.target, gateway: replicas.url }, replicas, clock.now(), options);
  } finally {
    await replicas.close();
  }
}

async function runOn(experiment: Experiment, target: ResolvedTarget, replicas: ReplicaSet | undefined, started: number, options: RunExperimentOptions): Promise<ExperimentResult> {
  const clock = options.clock ?? systemClock;
  const timeline: TimelineEntry[] = [];
  const reasons: string[] = [];
  const note = (phase: TimelineEntry['phase'], what: string, ok: boolean, detail?: string) => {
    const entry = { atMs: clock.now() - started, phase, what, ok, detail };
    timeline.push(entry);
    options.onEvent?.(entry);
  };
  const interrupted = () => options.signal?.aborted === true;
  const context: StepContext = { target, clock, replicas, elapsedMs: () => clock.now() - started, kills: [] };
  const finish = (result: Omit<ExperimentResult, 'replicas'>): ExperimentResult => (replicas
    ? { ...result, replicas: { count: replicas.ports.length, url: replicas.url, ports: [...replicas.ports], kills: context.kills, connections: [...replicas.connections] } }
    : result);
  if (replicas) note('setup', `${replicas.ports.length} replicas (ports ${replicas.ports.join(', ')}) behind the balancer at ${replicas.url}`, true);

  const before = await checkSteadyState(experiment, target, 'steady-state-before', note, options.signal);
  if (interrupted()) {
    reasons.push('interrupted while checking the steady state; nothing was changed');
    return finish({ title: experiment.title, verdict: 'interrupted', reasons, before, after: [], timeline, durationMs: clock.now() - started });
  }
  if (!before.every((p) => p.ok)) {
    reasons.push('the steady state did not hold before the method; nothing was changed');
    return finish({ title: experiment.title, verdict: 'aborted', reasons, before, after: [], timeline, durationMs: clock.now() - started });
  }

  let load: LoadSummary | undefined;
  let connectionRetries: Record<string, number> | undefined;
  const loadStop = new AbortController();
  const onAbort = () => loadStop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let loadRun: Promise<LoadSummary> | undefined;
  let sender: ReturnType<typeof httpChatSender> | undefined;
  try {
    if (experiment.load) {
      const l = experiment.load;
      sender = httpChatSender({ url: target.gateway, dialect: l.dialect, model: l.model, stream: l.stream, apiKey: target.apiKey, prompt: 'chaos experiment request {i}', retryConnectionErrors: l.retryConnectionErrors });
      const thresholds = Object.entries(l.thresholds).flatMap(([metric, expressions]) => expressions.map((e) => parseThreshold(metric, e)));
      loadRun = runLoad(sender, { model: { kind: 'open', rate: l.rate }, durationMs: l.duration, thresholds, signal: loadStop.signal });
      note('method', `load started: ${l.rate} req/s for ${l.duration} ms`, true);
    }
    for (const [index, step] of experiment.method.entries()) {
      if (interrupted()) break;
      const outcome = await runStepSafely(step, context, options.signal);
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
      const retried = Object.entries(sender!.connectionRetries).map(([code, n]) => `${code}=${n}`).join(', ');
      const kinds = Object.entries(load.errorsByKind).map(([kind, n]) => `${kind}=${n}`).join(', ');
      note('method', `load finished: ${load.requests} requests, ${load.errors} errors${kinds ? ` (${kinds})` : ''}, p99 ${load.latency.p99Ms} ms${retried ? `; connection failures retried: ${retried}` : ''}`, load.passed);
      for (const t of load.thresholds) if (!t.ok) reasons.push(`threshold failed: ${t.source} (observed ${Number.isFinite(t.observed) ? t.observed.toFixed(3) : 'no data'})`);
    }
  } finally {
    loadStop.abort();
    await loadRun?.catch(() => undefined);
    await sender?.close();
    if (experiment.load?.retryConnectionErrors) connectionRetries = { ...sender?.connectionRetries };
    options.signal?.removeEventListener('abort', onAbort);
    for (const step of experiment.rollbacks) {
      // Rollbacks ignore the interruption signal: they must run to undo the faults.
      const outcome = await runStepSafely(step, context, undefined);
      note('rollback', describe(step), outcome.ok, outcome.detail);
      if (!outcome.ok) reasons.push(`rollback failed: ${describe(step)}: ${outcome.detail}`);
    }
  }

  if (interrupted()) {
    reasons.push('interrupted; rollbacks ran');
    return finish({ title: experiment.title, verdict: 'interrupted', reasons, before, after: [], load, connectionRetries, timeline, durationMs: clock.now() - started });
  }
  const after = await checkSteadyState(experiment, target, 'steady-state-after', note, options.signal);
  if (interrupted()) {
    reasons.push('interrupted while checking the steady state after the rollbacks');
    return finish({ title: experiment.title, verdict: 'interrupted', reasons, before, after, load, connectionRetries, timeline, durationMs: clock.now() - started });
  }
  if (!after.every((p) => p.ok)) reasons.push('the steady state did not hold after the experiment');
  return finish({ title: experiment.title, verdict: reasons.length ? 'failed' : 'passed', reasons, before, after, load, connectionRetries, timeline, durationMs: clock.now() - started });
}

async function checkSteadyState(experiment: Experiment, target: ResolvedTarget, phase: TimelineEntry['phase'], note: (phase: TimelineEntry['phase'], what: string, ok: boolean, detail?: string) => void, signal?: AbortSignal): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of experiment.steadyState.probes) {
    const result = await runProbe(probe, target, signal);
    note(phase, `probe ${probe.name}`, result.ok, result.detail);
    results.push(result);
  }
  return results;
}

