/**
 * Turns one drill run's request log into its figures and verdict. Pure: the same log gives the
 * same result, on virtual or real time.
 *
 * Definitions (also in the README):
 * - *answered*: the client got a complete answer from some step (primary, secondary, cache or
 *   the default answer; degraded answers count as answered).
 * - *clear error*: the client got an HTTP error status (or an SSE error event) before its timeout.
 * - *lost*: neither — the client's timeout fired, the connection failed for good, or a stream
 *   ended without its terminal event and without an error event. A drill passes only with 0 lost.
 * - *TTD* (time to detect): fault start → the first breaker open, or the first answer not served
 *   (or, for a broken stream, not continued) by the faulted deployments, whichever comes first.
 *   Breaker openings and continuations are seen on virtual time only; real time sees answers.
 * - *RTO*: from the fault's end (a restart: from its start) → the end of the first answer served
 *   by a recovering deployment to a request sent after the fault ended (after the restarted
 *   gateway was up).
 */
import type { LatencySummary } from '../load/recorder.js';
import type { DrillTargets } from './scenarios.js';

/** Which step of the chain answered (or how the request ended). */
export type DrillStep = 'primary' | 'secondary' | 'cache' | 'default' | 'error' | 'lost';
/** The steps in chart/report order. */
export const DRILL_STEPS: readonly DrillStep[] = ['primary', 'secondary', 'cache', 'default', 'error', 'lost'];

/** One request as the drill's client saw it (times in ms on the run's clock, from run start). */
export interface DrillSample {
  sentAt: number;
  endedAt: number;
  step: DrillStep;
  /** Deployment id, `cache` or `default` for answers. */
  servedBy?: string;
  status: number;
  error?: string;
  /** A broken stream continued on this deployment (seen on virtual time only). */
  continuedBy?: string;
}

/** One target check. */
export interface DrillCheck {
  name: string;
  target: string;
  observed: string;
  ok: boolean;
}

/** A second of the drill, for charts. */
export interface DrillSecond {
  second: number;
  steps: Record<DrillStep, number>;
  p50Ms: number;
  p99Ms: number;
}

/** The figures of one scenario run. */
export interface DrillFigures {
  sent: number;
  steps: Record<DrillStep, number>;
  byDeployment: Record<string, number>;
  /** Streams that broke and were continued on another deployment (virtual time only). */
  continued: number;
  lost: number;
  answered: number;
  availability: number;
  /** Share of requests answered by a degraded step (cache or default). */
  degradedShare: number;
  slo: number;
  /** Failed requests over the budget `(1 - slo) * sent`; 1 = the whole budget. */
  errorBudgetUsed: number;
  ttdMs: number | null;
  rtoMs: number | null;
  latency: LatencySummary;
}

/** When the fault happened, on the run's clock (ms from run start). */
export interface FaultWindow {
  startMs: number;
  endMs: number;
  /** RTO is counted from here: `endMs`, or a restart's start. Default `endMs`. */
  rtoFromMs?: number;
  /** Deployments the fault hit (empty for a restart). */
  faulted: readonly string[];
  recoveredBy: readonly string[];
  /** Breaker-open times seen (ms from run start); empty when the target cannot see breakers. */
  breakerOpens: readonly number[];
}

const emptySteps = (): Record<DrillStep, number> => ({ primary: 0, secondary: 0, cache: 0, default: 0, error: 0, lost: 0 });

/** Computes the figures of a run from its samples (latency summary from the load generator). */
export function measure(samples: readonly DrillSample[], window: FaultWindow, latency: LatencySummary, slo: number): DrillFigures {
  const steps = emptySteps();
  const byDeployment: Record<string, number> = {};
  let detectAt = Infinity;
  for (const at of window.breakerOpens) if (at >= window.startMs) detectAt = Math.min(detectAt, at);
  let recoveredAt = Infinity;
  const faulted = new Set(window.faulted);
  const recovering = new Set(window.recoveredBy);
  let continued = 0;
  for (const s of samples) {
    steps[s.step]++;
    if (s.servedBy !== undefined) byDeployment[s.servedBy] = (byDeployment[s.servedBy] ?? 0) + 1;
    if (s.continuedBy !== undefined) continued++;
    const answered = s.servedBy !== undefined && s.step !== 'error' && s.step !== 'lost';
    const from = s.continuedBy ?? s.servedBy;
    if (answered && faulted.size > 0 && s.endedAt >= window.startMs && !faulted.has(from!)) detectAt = Math.min(detectAt, s.endedAt);
    if (answered && recovering.has(s.servedBy!) && s.sentAt >= window.endMs) recoveredAt = Math.min(recoveredAt, s.endedAt);
  }
  const sent = samples.length;
  const answered = steps.primary + steps.secondary + steps.cache + steps.default;
  const failed = sent - answered;
  return {
    sent,
    steps,
    byDeployment,
    continued,
    lost: steps.lost,
    answered,
    availability: sent === 0 ? 0 : answered / sent,
    degradedShare: sent === 0 ? 0 : (steps.cache + steps.default) / sent,
    slo,
    errorBudgetUsed: sent === 0 ? 0 : failed / ((1 - slo) * sent),
    ttdMs: detectAt === Infinity ? null : detectAt - window.startMs,
    rtoMs: recoveredAt === Infinity ? null : recoveredAt - (window.rtoFromMs ?? window.endMs),
    latency,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const ms = (x: number | null) => (x === null ? 'never' : `${Math.round(x)} ms`);

/** Checks the figures against the scenario's targets. */
export function check(figures: DrillFigures, targets: DrillTargets): DrillCheck[] {
  const checks: DrillCheck[] = [{ name: 'lost', target: `<= ${targets.maxLost}`, observed: String(figures.lost), ok: figures.lost <= targets.maxLost }];
  if (targets.minAvailability !== undefined) {
    checks.push({ name: 'availability', target: `>= ${pct(targets.minAvailability)}`, observed: pct(figures.availability), ok: figures.availability >= targets.minAvailability });
  }
  if (targets.maxErrorBudgetUsed !== undefined) {
    checks.push({ name: 'error budget used', target: `<= ${pct(targets.maxErrorBudgetUsed)}`, observed: pct(figures.errorBudgetUsed), ok: figures.errorBudgetUsed <= targets.maxErrorBudgetUsed });
  }
  if (targets.maxTtdMs !== undefined) {
    checks.push({ name: 'time to detect', target: `<= ${targets.maxTtdMs} ms`, observed: ms(figures.ttdMs), ok: figures.ttdMs !== null && figures.ttdMs <= targets.maxTtdMs });
  }
  if (targets.maxRtoMs !== undefined) {
    checks.push({ name: 'time to recover', target: `<= ${targets.maxRtoMs} ms`, observed: ms(figures.rtoMs), ok: figures.rtoMs !== null && figures.rtoMs <= targets.maxRtoMs });
  }
  if (targets.maxP99Ms !== undefined) {
    checks.push({ name: 'p99 latency', target: `<= ${targets.maxP99Ms} ms`, observed: `${figures.latency.p99Ms} ms`, ok: figures.latency.p99Ms <= targets.maxP99Ms });
  }
  for (const who of targets.mustServe ?? []) {
    const count = (figures.steps as Record<string, number>)[who] ?? figures.byDeployment[who] ?? 0;
    checks.push({ name: `served by ${who}`, target: '>= 1', observed: String(count), ok: count >= 1 });
  }
  return checks;
}

/** Per-second step counts and latency percentiles (by send time), for the charts. */
export function secondsOf(samples: readonly DrillSample[]): DrillSecond[] {
  const buckets: Array<{ steps: Record<DrillStep, number>; latencies: number[] }> = [];
  for (const s of samples) {
    const second = Math.max(0, Math.floor(s.sentAt / 1000));
    while (buckets.length <= second) buckets.push({ steps: emptySteps(), latencies: [] });
    buckets[second].steps[s.step]++;
    buckets[second].latencies.push(s.endedAt - s.sentAt);
  }
  return buckets.map((b, second) => {
    const sorted = b.latencies.sort((a, z) => a - z);
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
    return { second, steps: b.steps, p50Ms: at(0.5), p99Ms: at(0.99) };
  });
}
