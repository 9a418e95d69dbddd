/**
 * Runs one scenario against a target: an open-model load for the whole run, the fault applied
 * at `warmupMs` and healed `faultMs` later (a restart happens at `warmupMs`), every request's
 * outcome logged, then figures and checks.
 */
import { InvalidOptionsError } from '../../core/errors.js';
import { runLoad, type SendResult } from '../load/runner.js';
import { check, measure, secondsOf, type DrillCheck, type DrillFigures, type DrillSample, type DrillSecond } from './measure.js';
import type { DrillScenario } from './scenarios.js';
import type { DrillTarget } from './target.js';
import type { DrillTimings } from './topology.js';

/** The shape of one run in time and load. */
export interface DrillPlan {
  /** Healthy traffic before the fault (ms). */
  warmupMs: number;
  /** How long the fault lasts (ms). 0 for an instantaneous fault (restart). */
  faultMs: number;
  /** Traffic after the fault ends (ms). */
  recoveryMs: number;
  /** Requests per second (open model). */
  rate: number;
  /** The client's timeout per request (ms): past it a request is lost. */
  requestTimeoutMs: number;
  timings: DrillTimings;
  slo: number;
}

/** The result of one scenario run. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  passed: boolean;
  /** The seed of a virtual-time run (replays it exactly); undefined on real time. */
  seed?: number;
  plan: DrillPlan;
  fault: { startMs: number; endMs: number };
  /** Gateway restart: how long the restart took until the gateway served again (ms). */
  restartMs?: number;
  figures: DrillFigures;
  checks: DrillCheck[];
  seconds: DrillSecond[];
}

/** Validates a plan once (names the field and the value). */
export function validatePlan(plan: DrillPlan): void {
  for (const field of ['warmupMs', 'recoveryMs', 'rate', 'requestTimeoutMs'] as const) {
    if (!(plan[field] > 0)) throw new InvalidOptionsError(`drill plan.${field}: expected > 0, got ${plan[field]}`);
  }
  if (!(plan.faultMs >= 0)) throw new InvalidOptionsError(`drill plan.faultMs: expected >= 0, got ${plan.faultMs}`);
  if (!(plan.slo > 0 && plan.slo < 1)) throw new InvalidOptionsError(`drill plan.slo: expected between 0 and 1, got ${plan.slo}`);
}

/** Runs `scenario` on `target` (which it does not close); `signal` stops its load early (the result is then partial). */
export async function runScenario(scenario: DrillScenario, target: DrillTarget, plan: DrillPlan, signal?: AbortSignal): Promise<ScenarioResult> {
  validatePlan(plan);
  const { clock } = target;
  const origin = clock.now();
  const at = () => clock.now() - origin;
  const samples: DrillSample[] = [];
  const restart = scenario.fault.kind === 'restart' || scenario.fault.kind === 'replica-kill';
  // A restart is an instant: its fault window goes to recovery, so every scenario runs as long.
  const faultMs = restart ? 0 : plan.faultMs;
  const recoveryMs = restart ? plan.faultMs + plan.recoveryMs : plan.recoveryMs;
  const fault = { startMs: plan.warmupMs, endMs: plan.warmupMs + faultMs };
  const faultSteps: Array<Promise<void>> = [];

  const fault$ = scenario.fault;
  let restartMs: number | undefined;
  const startTimer = clock.setTimeout(() => {
    if (fault$.kind === 'restart' || fault$.kind === 'replica-kill') {
      // The restart's window runs until the new gateway serves; RTO is counted from its start,
      // so it includes the time the gateway took to serve again (`restartMs`).
      faultSteps.push((fault$.kind === 'restart' ? target.restart() : target.killReplica()).then(() => {
        restartMs = at() - fault.startMs;
        fault.endMs = fault.startMs + restartMs;
      }));
    } else {
      faultSteps.push(target.setFaults(fault$.deployments, fault$.faults));
    }
  }, fault.startMs);
  const endTimer = fault$.kind === 'mock' ? clock.setTimeout(() => faultSteps.push(target.setFaults(fault$.deployments, null)), fault.endMs) : undefined;

  const stream = scenario.stream ?? false;
  const send = async (index: number, signal: AbortSignal): Promise<SendResult> => {
    const sentAt = at();
    let answer;
    try {
      answer = await target.send(index, stream, signal);
    } catch (error) {
      samples.push({ sentAt, endedAt: at(), step: 'lost', status: 0, error: (error as Error).name });
      throw error;
    }
    samples.push({ sentAt, endedAt: at(), ...answer });
    const ok = answer.step !== 'error' && answer.step !== 'lost';
    return { ok, status: answer.status, servedBy: answer.servedBy, degraded: answer.step === 'cache' || answer.step === 'default', error: ok ? undefined : answer.error };
  };

  const summary = await runLoad(send, {
    model: { kind: 'open', rate: plan.rate },
    durationMs: plan.warmupMs + faultMs + recoveryMs,
    requestTimeoutMs: plan.requestTimeoutMs,
    maxInFlight: 100_000,
    clock,
    signal,
  });
  clock.clearTimeout(startTimer);
  if (endTimer !== undefined) clock.clearTimeout(endTimer);
  await Promise.all(faultSteps);
  if (fault$.kind === 'mock') await target.setFaults(fault$.deployments, null);

  samples.sort((a, b) => a.sentAt - b.sentAt || a.endedAt - b.endedAt);
  const breakerOpens = target.breakerOpens.map((t) => t - origin);
  const figures = measure(samples, {
    startMs: fault.startMs,
    endMs: fault.endMs,
    rtoFromMs: restart ? fault.startMs : fault.endMs,
    faulted: fault$.kind === 'mock' ? fault$.deployments : [],
    recoveredBy: scenario.recoveredBy,
    breakerOpens,
  }, summary.latency, plan.slo);
  const checks = check(figures, scenario.targets(plan.timings));
  return {
    scenario: scenario.name,
    title: scenario.title,
    passed: checks.every((c) => c.ok),
    plan,
    fault,
    restartMs,
    figures,
    checks,
    seconds: secondsOf(samples),
  };
}
