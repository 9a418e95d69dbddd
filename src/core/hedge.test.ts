import { describe, expect, it } from 'vitest';
import { CancelledError, HedgeFailedError, InvalidOptionsError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { HEDGE_DEFAULT_DELAY_MS, HEDGE_DEFAULT_MAX_HEDGES, hedge } from './hedge.js';
import type { ExecuteContext } from './policy.js';

/** Work that resolves after `ms` on the clock unless its signal aborts first. */
function work(clock: FakeClock, ms: number, value: string, ctx: ExecuteContext, log: string[]) {
  return new Promise<string>((resolve, reject) => {
    const t = clock.setTimeout(() => resolve(value), ms);
    ctx.signal.addEventListener('abort', () => {
      clock.clearTimeout(t);
      log.push(`abort ${ctx.attempt}`);
      reject(ctx.signal.reason);
    });
  });
}

describe('hedge', () => {
  it('pins its defaults and validates', () => {
    expect([HEDGE_DEFAULT_DELAY_MS, HEDGE_DEFAULT_MAX_HEDGES]).toEqual([2000, 1]);
    expect(() => hedge({ maxHedges: -1 })).toThrow(InvalidOptionsError);
    expect(() => hedge({ delayMs: -3 })).toThrow(/delayMs.*-3/);
  });

  it('a fast first attempt wins alone', async () => {
    const clock = new FakeClock();
    const h = hedge({ delayMs: 100, clock });
    const attempts: number[] = [];
    const log: string[] = [];
    const p = h.execute((ctx) => { attempts.push(ctx.attempt); return work(clock, 50, 'one', ctx, log); });
    await clock.advance(50);
    await expect(p).resolves.toBe('one');
    await clock.advance(1_000); // the cancelled hedge delay must not start anything
    expect(attempts).toEqual([1]);
  });

  it('starts a hedge after the delay; first success wins, the loser is aborted', async () => {
    const clock = new FakeClock();
    const h = hedge({ delayMs: 100, maxHedges: 2, clock });
    const hedges: number[] = [];
    h.onHedge((e) => hedges.push(e.attempt));
    const log: string[] = [];
    const p = h.execute((ctx) => work(clock, ctx.attempt === 1 ? 1000 : 30, `attempt ${ctx.attempt}`, ctx, log));
    await clock.advance(130);
    await expect(p).resolves.toBe('attempt 2');
    expect(hedges).toEqual([2]);
    expect(log).toEqual(['abort 1']);
    await clock.advance(1_000);
    expect(hedges).toEqual([2]);
  });

  it('a failure before the delay starts the next attempt at once', async () => {
    const clock = new FakeClock();
    const h = hedge({ delayMs: 100, maxHedges: 1, clock });
    const starts: number[] = [];
    const p = h.execute((ctx) => {
      starts.push(clock.now());
      return ctx.attempt === 1 ? Promise.reject(new Error('fast fail')) : 'second';
    });
    await expect(p).resolves.toBe('second');
    expect(starts[1]).toBe(starts[0]);
  });

  it('all attempts failing gives HedgeFailedError with the last failure as cause', async () => {
    const clock = new FakeClock();
    const h = hedge({ delayMs: 10, maxHedges: 2, clock });
    const p = h.execute((ctx) => Promise.reject(new Error(`fail ${ctx.attempt}`)));
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HedgeFailedError);
    expect((error as HedgeFailedError).attempts).toBe(3);
    expect(((error as Error).cause as Error).message).toBe('fail 3');
  });

  it('the caller aborting stops every attempt and rejects with its reason', async () => {
    const clock = new FakeClock();
    const h = hedge({ delayMs: 10, maxHedges: 1, clock });
    const caller = new AbortController();
    const log: string[] = [];
    const p = h.execute((ctx) => work(clock, 1000, 'x', ctx, log), caller.signal);
    await clock.advance(20);
    caller.abort(new CancelledError('user left'));
    await expect(p).rejects.toThrow('user left');
    expect(log.sort()).toEqual(['abort 1', 'abort 2']);
  });
});
