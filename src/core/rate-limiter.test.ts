import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, RateLimitedError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { RATE_LIMITER_DEFAULT_MAX_WAIT_MS, rateLimiter } from './rate-limiter.js';

describe('rateLimiter', () => {
  it('pins its defaults and validates', () => {
    expect(RATE_LIMITER_DEFAULT_MAX_WAIT_MS).toBe(0);
    const r = rateLimiter({ ratePerSecond: 5 });
    expect([r.burst, r.maxWaitMs]).toEqual([5, 0]);
    expect(() => rateLimiter({ ratePerSecond: 0 })).toThrow(InvalidOptionsError);
    expect(() => rateLimiter({ ratePerSecond: 0 })).toThrow(/ratePerSecond.*0/);
    expect(() => rateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(/burst.*0/);
    expect(() => rateLimiter(undefined as never)).toThrow(InvalidOptionsError);
    expect(() => rateLimiter({} as never)).toThrow(/ratePerSecond.*undefined/);
  });

  it('allows a burst, then rejects with retryAfterMs until a token refills', async () => {
    const clock = new FakeClock();
    const r = rateLimiter({ ratePerSecond: 10, burst: 3, clock });
    const seen: number[] = [];
    r.onRateLimited((e) => seen.push(e.retryAfterMs));
    for (let i = 0; i < 3; i++) await expect(r.execute(() => i)).resolves.toBe(i);
    const error = await r.execute(() => 'no').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeCloseTo(100, 6);
    expect(seen).toHaveLength(1);
    clock.setTime(clock.now() + 100);
    await expect(r.execute(() => 'yes')).resolves.toBe('yes');
  });

  it('waits for a token up to maxWaitMs, in arrival order', async () => {
    const clock = new FakeClock();
    const r = rateLimiter({ ratePerSecond: 10, burst: 1, maxWaitMs: 250, clock });
    const done: Array<[string, number]> = [];
    const start = clock.now();
    const run = (name: string) => r.execute(() => { done.push([name, clock.now() - start]); });
    await run('a');
    const b = run('b');
    const c = run('c');
    const d = r.execute(() => 'd').catch((e: unknown) => e); // would wait 300 ms > 250
    await clock.advance(200);
    await Promise.all([b, c]);
    expect(done).toEqual([['a', 0], ['b', 100], ['c', 200]]);
    expect(await d).toBeInstanceOf(RateLimitedError);
  });

  it('an aborted waiter leaves at once and gives its token back', async () => {
    const clock = new FakeClock();
    const r = rateLimiter({ ratePerSecond: 1, burst: 1, maxWaitMs: 10_000, clock });
    await r.execute(() => 1);
    const caller = new AbortController();
    const waiting = r.execute(() => 'x', caller.signal).catch((e: unknown) => e);
    expect(r.available).toBe(-1);
    caller.abort(new Error('bye'));
    expect(((await waiting) as Error).message).toBe('bye');
    expect(r.available).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
