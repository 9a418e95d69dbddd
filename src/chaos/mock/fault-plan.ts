/**
 * Turns a target's resolved {@link MockFaults} into a compiled plan once (cumulative outcome
 * table, flags), so that deciding a request's fate is one random draw and a short loop.
 */
import type { RandomSource } from '../../core/random.js';
import { sampleLatencyMs } from './latency.js';
import type { LatencySpec, MockFaults } from './profile.js';

/** What happens to one request, apart from latency, pacing and stream cuts. */
export type FaultOutcome = 'ok' | 429 | 500 | 503 | 529 | 'hang' | 'reset' | 'malformed';

/** Default Retry-After for 429 when the profile sets none. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** The draw order of mutually exclusive outcomes (their probabilities add up to at most 1). */
const ORDER: readonly FaultOutcome[] = [429, 500, 503, 529, 'hang', 'reset', 'malformed'];

/** A compiled, frozen plan for one target. */
export interface FaultPlan {
  readonly faults: MockFaults;
  /** True when nothing can go wrong and no delay applies: the fast path. */
  readonly quiet: boolean;
  readonly latency: LatencySpec | undefined;
  readonly retryAfterMs: number;
  readonly tokenDelayMs: number;
  readonly authFailure: boolean;
  readonly maxPromptTokens: number;
  readonly maxPromptChars: number;
  readonly rateLimitPerSecond: number;
  readonly streamCutAfter: number;
  readonly streamCutProbability: number;
  readonly cumulative: readonly number[];
  readonly outcomes: readonly FaultOutcome[];
}

/** Compiles `faults` into a {@link FaultPlan}. */
export function compileFaultPlan(faults: MockFaults): FaultPlan {
  const cumulative: number[] = [];
  const outcomes: FaultOutcome[] = [];
  let sum = 0;
  for (const outcome of ORDER) {
    const p = typeof outcome === 'number' ? (faults.errors?.[String(outcome) as '429'] ?? 0) : (faults[outcome as 'hang'] ?? 0);
    if (p <= 0) continue;
    sum += p;
    cumulative.push(sum);
    outcomes.push(outcome);
  }
  const latency = faults.latency && !(faults.latency.kind === 'fixed' && faults.latency.ms === 0) ? faults.latency : undefined;
  const plan: FaultPlan = {
    faults,
    latency,
    retryAfterMs: faults.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS,
    tokenDelayMs: faults.tokenDelayMs ?? 0,
    authFailure: faults.authFailure ?? false,
    maxPromptTokens: faults.contextWindow?.maxTokens ?? Infinity,
    maxPromptChars: faults.contextWindow?.maxChars ?? Infinity,
    rateLimitPerSecond: faults.rateLimit?.requestsPerSecond ?? Infinity,
    streamCutAfter: faults.streamCut ? faults.streamCut.afterChunks : -1,
    streamCutProbability: faults.streamCut ? faults.streamCut.probability : 0,
    cumulative,
    outcomes,
    quiet: false,
  };
  return Object.freeze({
    ...plan,
    quiet:
      outcomes.length === 0 &&
      !latency &&
      plan.tokenDelayMs === 0 &&
      !plan.authFailure &&
      plan.maxPromptTokens === Infinity &&
      plan.maxPromptChars === Infinity &&
      plan.rateLimitPerSecond === Infinity &&
      plan.streamCutProbability === 0,
  });
}

/** Draws the outcome of one request (one random draw, none when the plan has no outcomes). */
export function drawOutcome(plan: FaultPlan, random: RandomSource): FaultOutcome {
  if (plan.outcomes.length === 0) return 'ok';
  const u = random();
  for (let i = 0; i < plan.cumulative.length; i++) if (u < plan.cumulative[i]) return plan.outcomes[i];
  return 'ok';
}

/** Draws the delay before the response starts (0 without a latency spec, and no draw). */
export function drawLatencyMs(plan: FaultPlan, random: RandomSource): number {
  return plan.latency ? sampleLatencyMs(plan.latency, random) : 0;
}

/** Draws whether a stream is cut: the event count after which it is cut, or -1. */
export function drawStreamCut(plan: FaultPlan, random: RandomSource): number {
  if (plan.streamCutAfter < 0) return -1;
  if (plan.streamCutProbability >= 1 || random() < plan.streamCutProbability) return plan.streamCutAfter;
  return -1;
}
