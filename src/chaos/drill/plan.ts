/**
 * How a drill's length and load become each scenario's plan. One duration `D` per scenario:
 * 20% healthy warm-up, 40% fault, 40% recovery; the breaker's open period is 15% of `D`
 * (at most the course's 60 s), so recovery always has room for one half-open probe and the
 * RTO target (open period + 5 s) fits inside the recovery window.
 */
import { InvalidOptionsError } from '../../core/errors.js';
import type { DrillPlan } from './run-scenario.js';
import { DEFAULT_DRILL_SLO } from './scenarios.js';

/** Virtual time: 150 s per scenario, so the fault lasts one minute. */
export const DEFAULT_VIRTUAL_DURATION_MS = 150_000;
/** Virtual time: 10 requests per second. */
export const DEFAULT_VIRTUAL_RATE = 10;
/** Real time: 30 s per scenario (`--duration`). */
export const DEFAULT_REAL_DURATION_MS = 30_000;
/** Real time: 20 requests per second. */
export const DEFAULT_REAL_RATE = 20;
/** Shortest scenario: below it the recovery window cannot hold open period + probe. */
export const MIN_DRILL_DURATION_MS = 20_000;
/** Attempt, first-token and idle timeout of the drill's router (ms). */
export const DRILL_ATTEMPT_TIMEOUT_MS = 2_000;
/** Whole-request deadline of the drill's router (ms). */
export const DRILL_TOTAL_TIMEOUT_MS = 10_000;
/** The client's timeout: past it a request counts as lost (ms). */
export const DRILL_REQUEST_TIMEOUT_MS = 15_000;
/** Seed of `--virtual` runs when none is given. */
export const DEFAULT_DRILL_SEED = 1;

/** The plan of every scenario of a drill of `durationMs` per scenario at `rate` requests/s. */
export function drillPlan(durationMs: number, rate: number, slo = DEFAULT_DRILL_SLO): DrillPlan {
  if (!(durationMs >= MIN_DRILL_DURATION_MS)) throw new InvalidOptionsError(`drill duration: expected >= ${MIN_DRILL_DURATION_MS} ms, got ${durationMs}`);
  if (!(rate > 0)) throw new InvalidOptionsError(`drill rate: expected > 0, got ${rate}`);
  return {
    warmupMs: Math.round(durationMs * 0.2),
    faultMs: Math.round(durationMs * 0.4),
    recoveryMs: Math.round(durationMs * 0.4),
    rate,
    requestTimeoutMs: DRILL_REQUEST_TIMEOUT_MS,
    slo,
    timings: {
      breakerOpenMs: Math.round(Math.min(60_000, durationMs * 0.15)),
      attemptTimeoutMs: DRILL_ATTEMPT_TIMEOUT_MS,
      totalTimeoutMs: DRILL_TOTAL_TIMEOUT_MS,
    },
  };
}

/** The seed of one scenario in a drill seeded `seed`: a scenario replays alone with the same `--seed`. */
export function scenarioSeed(seed: number, scenario: string): number {
  // FNV-1a over "seed:name" (the seed enters once: mixing it in twice can cancel out).
  let hash = 0x811c9dc5;
  for (const char of `${seed >>> 0}:${scenario}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}
