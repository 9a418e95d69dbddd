import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { constantBackoff, decorrelatedJitterBackoff, exponentialBackoff, BACKOFF_DEFAULT_INITIAL_DELAY_MS, BACKOFF_DEFAULT_MAX_DELAY_MS, BACKOFF_DEFAULT_MULTIPLIER } from './backoff.js';
import { CancelledError, InvalidOptionsError, errorTags } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { seededRandom } from './random.js';
import { parseRetryAfter, retryAfterHintMs } from './retry-after.js';
import { RETRY_BUDGET_DEFAULT_MAX_TOKENS, RETRY_BUDGET_DEFAULT_MIN_RETRIES_PER_SECOND, RETRY_BUDGET_DEFAULT_RETRY_RATIO, RetryBudget } from './retry-budget.js';
import { RETRY_DEFAULT_MAX_ATTEMPTS, RETRY_DEFAULT_MAX_DELAY_MS, RETRY_DEFAULT_MAX_RETRY_AFTER_MS, retry, type GiveUpEvent, type RetryEvent } from './retry.js';

const fail = (message = 'boom') => Promise.reject(new Error(message));

describe('retry', () => {
  it('pins its defaults', () => {
    expect(RETRY_DEFAULT_MAX_ATTEMPTS).toBe(3);
    expect(RETRY_DEFAULT_MAX_DELAY_MS).toBe(30_000);
    expect(RETRY_DEFAULT_MAX_RETRY_AFTER_MS).toBe(60_000);
    expect([BACKOFF_DEFAULT_INITIAL_DELAY_MS, BACKOFF_DEFAULT_MULTIPLIER, BACKOFF_DEFAULT_MAX_DELAY_MS]).toEqual([100, 2, 30_000]);
    expect([RETRY_BUDGET_DEFAULT_RETRY_RATIO, RETRY_BUDGET_DEFAULT_MIN_RETRIES_PER_SECOND, RETRY_BUDGET_DEFAULT_MAX_TOKENS]).toEqual([0.2, 10, 100]);
    const policy = retry();
    expect([policy.maxAttempts, policy.maxDelayMs, policy.maxRetryAfterMs]).toEqual([3, 30_000, 60_000]);
  });

  it('validates options, naming field and value', () => {
    expect(() => retry({ maxAttempts: 0 })).toThrow(InvalidOptionsError);
    expect(() => retry({ maxAttempts: 0 })).toThrow(/maxAttempts.*got 0/);
    expect(() => retry({ maxAttempts: 1.5 })).toThrow(/maxAttempts.*1\.5/);
    expect(() => retry({ maxDelayMs: -5 })).toThrow(/maxDelayMs.*-5/);
    expect(() => retry({ shouldRetry: 'yes' as never })).toThrow(/shouldRetry/);
    expect(() => exponentialBackoff({ multiplier: 0.5 })).toThrow(/multiplier.*0\.5/);
    expect(() => new RetryBudget({ retryRatio: 2 })).toThrow(/retryRatio.*2/);
  });

  it('maxAttempts counts every attempt, the first included', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const p = retry({ maxAttempts: 3, backoff: constantBackoff(10), clock }).execute(({ attempt }) => {
      attempts.push(attempt);
      return fail();
    });
    const outcome = p.catch((e: Error) => e.message);
    await clock.advance(100);
    expect(await outcome).toBe('boom');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('returns the first success and waits the backoff between attempts', async () => {
    const clock = new FakeClock();
    const policy = retry({ maxAttempts: 5, backoff: constantBackoff(50), clock });
    const times: number[] = [];
    const p = policy.execute(({ attempt }) => {
      times.push(clock.now());
      return attempt < 3 ? fail() : 'done';
    });
    await clock.advance(49);
    expect(times).toHaveLength(1);
    await clock.advance(1);
    expect(times).toHaveLength(2);
    await clock.advance(50);
    await expect(p).resolves.toBe('done');
    expect(times[2] - times[0]).toBe(100);
  });

  it('emits retry and give-up events', async () => {
    const clock = new FakeClock();
    const policy = retry({ maxAttempts: 2, backoff: constantBackoff(5), clock });
    const retries: RetryEvent[] = [];
    const giveUps: GiveUpEvent[] = [];
    policy.onRetry((e) => retries.push(e));
    policy.onGiveUp((e) => giveUps.push(e));
    const outcome = policy.execute(() => fail('x')).catch(() => 'failed');
    await clock.advance(10);
    expect(await outcome).toBe('failed');
    expect(retries.map((e) => [e.attempt, e.delayMs, (e.error as Error).message])).toEqual([[1, 5, 'x']]);
    expect(giveUps.map((e) => [e.attempts, e.reason])).toEqual([[2, 'max-attempts']]);
  });

  it('does not retry what the predicate refuses', async () => {
    const policy = retry({ maxAttempts: 5, clock: new FakeClock(), shouldRetry: (e) => (e as Error).message !== 'fatal' });
    let calls = 0;
    await expect(policy.execute(() => { calls++; return fail('fatal'); })).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    await expect(retry({ clock: new FakeClock() }).execute(() => Promise.reject(new CancelledError()))).rejects.toBeInstanceOf(CancelledError);
  });

  it('exponential backoff with full jitter stays within [0, cap]; without jitter it doubles', () => {
    const random = seededRandom(7);
    const exact = exponentialBackoff({ initialDelayMs: 100, jitter: 'none', maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => exact.delayMs(n, 0, random))).toEqual([100, 200, 400, 800, 1000]);
    const jittered = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1000 });
    for (let n = 1; n < 10; n++) {
      const d = jittered.delayMs(n, 0, random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** (n - 1)));
    }
    expect(jittered.delayMs(3, 0, () => 0.5)).toBe(200);
  });

  it('decorrelated jitter draws in [initial, 3 x previous] under the cap', () => {
    const backoff = decorrelatedJitterBackoff({ initialDelayMs: 100, maxDelayMs: 1000 });
    expect(backoff.delayMs(1, 0, () => 0)).toBe(100);
    expect(backoff.delayMs(2, 200, () => 0.999999)).toBeCloseTo(600, 0);
    expect(backoff.delayMs(3, 900, () => 0.99)).toBe(1000);
  });

  it('caps backoff with maxDelayMs', async () => {
    const clock = new FakeClock();
    const policy = retry({ maxAttempts: 2, backoff: constantBackoff(10_000), maxDelayMs: 500, clock });
    const delays: number[] = [];
    policy.onRetry((e) => delays.push(e.delayMs));
    const outcome = policy.execute(() => fail()).catch(() => 0);
    await clock.advance(500);
    await outcome;
    expect(delays).toEqual([500]);
  });

  it('waits at least a server hint (retryAfterMs), and gives up at once when it is too long', async () => {
    const clock = new FakeClock();
    const policy = retry({ maxAttempts: 3, backoff: constantBackoff(10), maxRetryAfterMs: 5_000, clock });
    const events: Array<number | string> = [];
    policy.onRetry((e) => events.push(e.delayMs));
    policy.onGiveUp((e) => events.push(e.reason));
    let calls = 0;
    const p = policy.execute(() => {
      calls++;
      if (calls === 1) return Promise.reject(Object.assign(new Error('429'), { retryAfterMs: 2_000 }));
      return Promise.reject(Object.assign(new Error('429 later'), { retryAfter: '60' }));
    });
    const outcome = p.catch((e: Error) => e.message);
    await clock.advance(1_999);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    expect(await outcome).toBe('429 later');
    expect(events).toEqual([2_000, 'retry-after-too-long']);
  });

  it('parses Retry-After as seconds or HTTP date, and reads hints from errors', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter(3, now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfter(new Date(now - 7000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(retryAfterHintMs({ headers: new Headers({ 'retry-after': '4' }) }, now)).toBe(4000);
    expect(retryAfterHintMs({ headers: { 'retry-after': '5' } }, now)).toBe(5000);
    expect(retryAfterHintMs(new Error('plain'), now)).toBeUndefined();
  });

  it('stops waiting at once when the caller aborts', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    let calls = 0;
    const p = retry({ maxAttempts: 5, backoff: constantBackoff(10_000), clock }).execute(() => { calls++; return fail(); }, caller.signal);
    const outcome = p.catch((e: unknown) => e);
    await clock.advance(1);
    caller.abort(new CancelledError('gone'));
    const error = await outcome;
    expect(error).toBeInstanceOf(CancelledError);
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('gives each attempt its own signal; aborting one attempt does not abort the next', async () => {
    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    const p = retry({ maxAttempts: 2, backoff: constantBackoff(0), clock }).execute(({ signal, attempt }) => {
      signals.push(signal);
      return attempt === 1 ? fail() : 'ok';
    });
    await clock.advance(0);
    await expect(p).resolves.toBe('ok');
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
  });

  describe('retry budget', () => {
    it('refuses retries once exhausted and surfaces the original error, tagged', async () => {
      const clock = new FakeClock();
      const budget = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 0, maxTokens: 10, clock });
      expect(budget.available).toBe(0);
      const policy = retry({ maxAttempts: 2, backoff: constantBackoff(0), budget, clock });
      const giveUps: string[] = [];
      policy.onGiveUp((e) => giveUps.push(e.reason));
      const original = new Error('upstream 503');
      const error = await policy.execute(() => Promise.reject(original)).catch((e: unknown) => e);
      expect(error).toBe(original);
      expect(errorTags(error)).toContain('BULWARK_ERR_RETRY_BUDGET_EXHAUSTED');
      expect(giveUps).toEqual(['budget-exhausted']);
    });

    it('allows retries up to about retryRatio of requests, shared between policies', async () => {
      const clock = new FakeClock();
      const budget = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 0, maxTokens: 100, clock });
      const a = retry({ maxAttempts: 2, backoff: constantBackoff(0), budget, clock });
      const b = retry({ maxAttempts: 2, backoff: constantBackoff(0), budget, clock });
      let calls = 0;
      const work = () => { calls++; return fail(); };
      for (let i = 0; i < 50; i++) {
        const p = (i % 2 ? a : b).execute(work).catch(() => 0);
        await clock.advance(0);
        await p;
      }
      // 50 requests deposit 10 tokens: 10 retries, 60 calls in all.
      expect(calls).toBe(60);
    });

    it('refills at the floor rate with time', () => {
      const clock = new FakeClock();
      const budget = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 10, maxTokens: 20, clock });
      expect(budget.available).toBe(10);
      for (let i = 0; i < 10; i++) expect(budget.tryAcquireRetry()).toBe(true);
      expect(budget.tryAcquireRetry()).toBe(false);
      clock.setTime(clock.now() + 500);
      expect(budget.available).toBe(5);
      clock.setTime(clock.now() + 60_000);
      expect(budget.available).toBe(20);
    });
  });
});
