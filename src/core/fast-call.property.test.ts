import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantBackoff } from './backoff.js';
import { bulkhead } from './bulkhead.js';
import { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import { ConsecutiveBreaker } from './circuit-breaker/consecutive-breaker.js';
import { FakeClock } from './fake-clock.js';
import { pipeline } from './pipeline.js';
import type { ExecuteContext, Operation, Policy, RunnablePolicy } from './policy.js';
import { rateLimiter } from './rate-limiter.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';

/**
 * The fast path is an optimisation, never a second semantics: a pipeline of built-in policies
 * must behave exactly like the same policies composed the ordinary way (each through its `run`).
 * A pass-through policy without a fast path at the front forces the ordinary way. Random
 * pipelines, random calls (arrival, per-attempt behaviour, caller aborts), on virtual time; both
 * runs must give every call the same outcome and leave the policies in the same state.
 */

type Kind = 'retry' | 'breaker' | 'timeout' | 'bulkhead' | 'rate';
type Behaviour = 'ok-sync' | 'throw-sync' | 'resolve' | 'reject' | 'hang' | 'resolve-or-abort';

interface PolicySpec {
  kind: Kind;
  a: number;
  b: number;
}
interface CallSpec {
  atMs: number;
  attempts: Array<{ behaviour: Behaviour; ms: number }>;
  abortAtMs: number | undefined;
}

const policyArb: fc.Arbitrary<PolicySpec[]> = fc
  .shuffledSubarray<Kind>(['retry', 'breaker', 'timeout', 'bulkhead', 'rate'], { minLength: 1 })
  .chain((kinds) => fc.tuple(...kinds.map((kind) => fc.record({ kind: fc.constant(kind), a: fc.integer({ min: 1, max: 3 }), b: fc.integer({ min: 0, max: 40 }) }))));

const callArb: fc.Arbitrary<CallSpec> = fc.record({
  atMs: fc.integer({ min: 0, max: 80 }),
  attempts: fc.array(
    fc.record({ behaviour: fc.constantFrom<Behaviour>('ok-sync', 'throw-sync', 'resolve', 'reject', 'hang', 'resolve-or-abort'), ms: fc.integer({ min: 0, max: 40 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  abortAtMs: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
});

/** A RunnablePolicy that only passes the call on: in front of a pipeline, it turns the fast path off. */
const ordinary: RunnablePolicy = {
  execute: <T>(operation: Operation<T>) => Promise.resolve().then(() => operation({ signal: new AbortController().signal, attempt: 1 })),
  run: <T>(operation: Operation<T>, context: ExecuteContext) => Promise.resolve(operation(context)),
};

function build(specs: PolicySpec[], clock: FakeClock) {
  let breaker: CircuitBreaker | undefined;
  // One log per policy: the order of two policies' events within one instant is not part of the contract.
  const log: Record<string, string[]> = { retry: [], breaker: [] };
  const policies: Policy[] = specs.map(({ kind, a, b }) => {
    switch (kind) {
      case 'retry': {
        const r = retry({ maxAttempts: a, backoff: constantBackoff(b % 20), clock, random: () => 0.5 });
        r.onRetry((e) => log.retry.push(`retry ${e.attempt} ${e.delayMs}`));
        r.onGiveUp((e) => log.retry.push(`give-up ${e.attempts} ${e.reason}`));
        return r;
      }
      case 'breaker':
        breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(a), openMs: 30, random: () => 0.5 });
        breaker.onStateChange((e) => log.breaker.push(`${e.from}>${e.to}`));
        return breaker;
      case 'timeout':
        return timeout({ timeoutMs: 5 + b, clock });
      case 'bulkhead':
        return bulkhead({ maxConcurrent: a, maxQueued: b % 3, queueTimeoutMs: b % 2 === 0 ? Infinity : 25, clock });
      case 'rate':
        return rateLimiter({ ratePerSecond: 50, burst: a, maxWaitMs: b, clock });
    }
  });
  return { policies, breaker, log };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${String(error)}`;
}

async function runScenario(specs: PolicySpec[], calls: CallSpec[], fast: boolean) {
  const clock = new FakeClock(0);
  const { policies, breaker, log } = build(specs, clock);
  const guarded = fast ? pipeline(...policies) : pipeline(ordinary, ...policies);
  const outcomes: string[] = calls.map(() => 'pending');
  const seen: string[] = calls.map(() => '');
  calls.forEach((call, i) => {
    // Distinct fractions keep two events from ever falling on the same instant (their order would be arbitrary).
    const controller = new AbortController();
    if (call.abortAtMs !== undefined) clock.setTimeout(() => controller.abort(new Error(`caller ${i} left`)), call.abortAtMs + i / 97);
    clock.setTimeout(() => {
      guarded
        .execute(({ attempt, signal }) => {
          seen[i] += `${attempt}`;
          const { behaviour, ms } = call.attempts[Math.min(attempt, call.attempts.length) - 1];
          const delay = ms + (i * 5 + attempt) / 1009;
          switch (behaviour) {
            case 'ok-sync':
              return `v${i}.${attempt}`;
            case 'throw-sync':
              throw new Error(`e${i}.${attempt}`);
            case 'resolve':
              return new Promise((resolve) => clock.setTimeout(() => resolve(`v${i}.${attempt}`), delay));
            case 'reject':
              return new Promise((_, reject) => clock.setTimeout(() => reject(new Error(`e${i}.${attempt}`)), delay));
            case 'hang':
              return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
            case 'resolve-or-abort':
              return new Promise((resolve, reject) => {
                clock.setTimeout(() => resolve(`v${i}.${attempt}`), delay);
                signal.addEventListener('abort', () => reject(signal.reason));
              });
          }
        }, controller.signal)
        .then(
          (value) => (outcomes[i] = `ok ${String(value)}`),
          (error: unknown) => (outcomes[i] = describeError(error)),
        );
    }, call.atMs + i / 89);
  });
  await clock.advance(2_000);
  const state = policies.map((p) => {
    const q = p as unknown as { executing?: number; queued?: number; pending?: number };
    return [q.executing, q.queued, q.pending].join('/');
  });
  return { outcomes, attempts: seen, log, state, breaker: breaker?.state };
}

describe('pipeline fast path', () => {
  it('behaves exactly like the same policies composed through run()', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(callArb, { minLength: 1, maxLength: 10 }), async (specs, calls) => {
        const fast = await runScenario(specs, calls, true);
        const slow = await runScenario(specs, calls, false);
        expect(fast).toEqual(slow);
      }),
      { numRuns: Number(process.env.FAST_CALL_RUNS ?? 300) },
    );
  }, 60_000);
});
