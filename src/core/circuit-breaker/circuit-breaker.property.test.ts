import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { CountWindowBreaker } from './count-window-breaker.js';
import { deferred, type Deferred } from './test-helpers.js';
import type { BreakerStateName } from './types.js';

/**
 * The breaker's state machine against random schedules of calls, outcomes, time and operator
 * actions, on virtual time. A model tracks what the configured condition says; the breaker must
 * agree with it after every step.
 */

class IgnoredError extends Error {}

type Outcome = 'ok' | 'fail' | 'ignore' | 'cancel';
type Action =
  | { t: 'call' }
  | { t: 'settle'; pick: number; outcome: Outcome }
  | { t: 'advance'; ms: number }
  | { t: 'isolate' }
  | { t: 'release' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Action>({ t: 'call' }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('settle' as const), pick: fc.nat(), outcome: fc.constantFrom<Outcome>('ok', 'fail', 'fail', 'ignore', 'cancel') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.constant<Action>({ t: 'isolate' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ t: 'release' }) },
);

const ALLOWED = new Set([
  'closed>open', 'open>half-open', 'half-open>open', 'half-open>closed',
  // operator holds and their release
  ...['closed', 'open', 'half-open'].map((s) => `${s}>isolated`), 'isolated>closed',
]);

interface Pending {
  d: Deferred<string>;
  controller: AbortController;
  promise: Promise<unknown>;
  /** Raw state right after admission ('half-open' = a probe) and the half-open period it belongs to. */
  admittedIn: BreakerStateName;
  period: number;
}

interface Strategy {
  label: string;
  make(): ConsecutiveBreaker | CountWindowBreaker;
  /** Model: record a counted outcome; returns whether the condition for opening now holds. */
  model(): { record(failed: boolean): boolean; reset(): void };
}

const consecutive = (k: number): Strategy => ({
  label: `ConsecutiveBreaker(${k})`,
  make: () => new ConsecutiveBreaker(k),
  model: () => {
    let run = 0;
    return { record: (failed) => (failed ? ++run >= k : ((run = 0), false)), reset: () => { run = 0; } };
  },
});

const countWindow = (size: number, minimumCalls: number, rate: number): Strategy => ({
  label: `CountWindowBreaker(${size}, ${minimumCalls}, ${rate})`,
  make: () => new CountWindowBreaker({ windowSize: size, minimumCalls, failureRateThreshold: rate }),
  model: () => {
    let window: boolean[] = [];
    return {
      record: (failed) => {
        window = [...window, failed].slice(-size);
        return window.length >= minimumCalls && window.filter(Boolean).length >= rate * window.length;
      },
      reset: () => { window = []; },
    };
  },
});

const strategyArb = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map(consecutive),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0.25, 0.5, 1)).map(([s, m, r]) => countWindow(s, m, r)),
);

async function check(strategy: Strategy, halfOpenMaxCalls: number, successThreshold: number, actions: Action[]): Promise<void> {
  const clock = new FakeClock();
  const openMs = 1000;
  const breaker = new CircuitBreaker({
    clock, strategy: strategy.make(), openMs, halfOpenMaxCalls, halfOpenSuccessThreshold: successThreshold,
    classifyError: (e) => (e instanceof IgnoredError ? 'ignore' : 'failure'),
  });
  const model = strategy.model();
  const transitions: string[] = [];
  let lastOpenUntil = 0;
  let period = 0;
  let resetModel = false;
  breaker.onStateChange((e) => {
    const edge = `${e.from}>${e.to}`;
    // No transition skipped: closed never goes straight to half-open, open never straight to closed.
    expect(ALLOWED.has(edge), `unexpected transition ${edge}`).toBe(true);
    if (edge === 'open>half-open') {
      expect(e.at).toBeGreaterThanOrEqual(lastOpenUntil);
      period++;
    }
    if (e.to === 'open') lastOpenUntil = e.openUntil!;
    // The breaker forgets its window when it opens or closes; the model does so after the step.
    if (e.to === 'open' || e.to === 'closed') resetModel = true;
    transitions.push(edge);
  });
  const raw = () => breaker.toJSON().state;
  const pending: Pending[] = [];
  const releases: Array<() => void> = [];

  for (const action of actions) {
    if (action.t === 'call') {
      const d = deferred<string>();
      const controller = new AbortController();
      let invoked = false;
      const promise = breaker.execute(() => { invoked = true; return d.promise; }, controller.signal).catch(() => {});
      if (invoked) pending.push({ d, controller, promise, admittedIn: raw(), period });
      else await promise;
    } else if (action.t === 'settle') {
      if (pending.length === 0) continue;
      const [call] = pending.splice(action.pick % pending.length, 1);
      const before = raw();
      const opensBefore = transitions.filter((t) => t === 'closed>open').length;
      const counted = call.admittedIn === 'closed' && before === 'closed';
      if (action.outcome === 'ok') call.d.resolve('ok');
      else if (action.outcome === 'fail') call.d.reject(new Error('fail'));
      else if (action.outcome === 'ignore') call.d.reject(new IgnoredError());
      else {
        call.controller.abort(new Error('cancelled'));
        call.d.reject(new Error('cancelled'));
      }
      await call.promise;
      const after = raw();
      if (action.outcome === 'ignore' || action.outcome === 'cancel') {
        // Ignored errors and cancelled calls never change the state.
        expect(after).toBe(before);
      } else if (counted) {
        // closed → open exactly when the configured condition holds.
        const shouldOpen = model.record(action.outcome === 'fail');
        expect(after).toBe(shouldOpen ? 'open' : 'closed');
      }
      const opensAfter = transitions.filter((t) => t === 'closed>open').length;
      if (!counted) expect(opensAfter).toBe(opensBefore);
    } else if (action.t === 'advance') {
      await clock.advance(action.ms);
    } else if (action.t === 'isolate') {
      releases.push(breaker.isolate());
    } else {
      releases.shift()?.();
    }
    if (resetModel) {
      model.reset();
      resetModel = false;
    }
    // Never more probes in flight than permitted in the current half-open period.
    if (raw() === 'half-open') {
      const probes = pending.filter((p) => p.admittedIn === 'half-open' && p.period === period).length;
      expect(probes).toBeLessThanOrEqual(halfOpenMaxCalls);
    }
    // Calls are admitted only in closed or half-open.
    for (const p of pending) expect(['closed', 'half-open']).toContain(p.admittedIn);
  }
  for (const p of pending) p.d.resolve('late');
  await Promise.all(pending.map((p) => p.promise));
}

describe('CircuitBreaker state machine (property-based, virtual time)', () => {
  it('holds its invariants on random schedules', async () => {
    await fc.assert(
      fc.asyncProperty(strategyArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.array(actionArb, { maxLength: 60 }),
        (strategy, maxCalls, threshold, actions) => check(strategy, maxCalls, threshold, actions)),
      { numRuns: 150 },
    );
  });

  it('every probe success past the threshold closes; anything else keeps it half-open or reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (threshold, probes) => {
        const clock = new FakeClock();
        const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(1), openMs: 100, halfOpenSuccessThreshold: threshold });
        await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => {});
        await clock.advance(100);
        let successes = 0;
        for (const ok of probes) {
          if (breaker.state !== 'half-open') break;
          await breaker.execute(() => (ok ? 'ok' : Promise.reject(new Error('x')))).catch(() => {});
          if (!ok) {
            expect(breaker.toJSON().state).toBe('open');
            break;
          }
          successes++;
          expect(breaker.toJSON().state).toBe(successes >= threshold ? 'closed' : 'half-open');
        }
      }),
      { numRuns: 100 },
    );
  });
});
