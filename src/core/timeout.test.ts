import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { InvalidOptionsError, TimeoutError } from './errors.js';
import { pipeline } from './pipeline.js';
import { retry } from './retry.js';
import { constantBackoff } from './backoff.js';
import { TIMEOUT_DEFAULT_MS, timeout } from './timeout.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

describe('timeout', () => {
  it('pins its default', () => {
    expect(TIMEOUT_DEFAULT_MS).toBe(30_000);
    expect(timeout().timeoutMs).toBe(TIMEOUT_DEFAULT_MS);
  });

  it('validates options, naming field and value', () => {
    expect(() => timeout({ timeoutMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => timeout({ timeoutMs: -1 })).toThrow(/timeoutMs.*-1/);
    expect(() => timeout({ timeoutMs: Number.NaN })).toThrow(/timeoutMs.*NaN/);
  });

  it('resolves with the value when the work finishes in time', async () => {
    const clock = new FakeClock();
    const policy = timeout({ timeoutMs: 100, clock });
    const p = policy.execute(() => new Promise<string>((r) => clock.setTimeout(() => r('ok'), 99)));
    await clock.advance(99);
    await expect(p).resolves.toBe('ok');
    expect(policy.pending).toBe(0);
  });

  it('rejects with TimeoutError exactly at the deadline and aborts the work signal with it', async () => {
    const clock = new FakeClock();
    const policy = timeout({ timeoutMs: 100, clock });
    let seen: AbortSignal | undefined;
    const events: number[] = [];
    policy.onTimeout((e) => events.push(e.timeoutMs));
    const p = policy.execute(({ signal }) => {
      seen = signal;
      return never();
    });
    const outcome = p.then(() => 'resolved', (e: unknown) => e);
    await clock.advance(99);
    expect(seen!.aborted).toBe(false);
    await clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(100);
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBe(error);
    expect(events).toEqual([100]);
  });

  it('a signal read after expiry is already aborted', async () => {
    const clock = new FakeClock();
    const policy = timeout({ timeoutMs: 10, clock });
    let late: AbortSignal | undefined;
    const p = policy.execute(async (ctx) => {
      await new Promise<void>((r) => clock.setTimeout(r, 20));
      late = ctx.signal;
    });
    const outcome = p.catch((e: unknown) => e);
    await clock.advance(20);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(late!.aborted).toBe(true);
  });

  it('handles many overlapping deadlines with one timer and fires each at its own time', async () => {
    const clock = new FakeClock();
    const policy = timeout({ timeoutMs: 100, clock });
    const settled: number[] = [];
    for (let i = 0; i < 5; i++) {
      policy.execute(() => never()).catch(() => settled.push(clock.now()));
      await clock.advance(10);
    }
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(100);
    const start = Date.UTC(2026, 0, 1);
    expect(settled.map((t) => t - start)).toEqual([100, 110, 120, 130, 140]);
  });

  it('passes a synchronous throw through', async () => {
    const policy = timeout({ timeoutMs: 10, clock: new FakeClock() });
    await expect(policy.execute(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    expect(policy.pending).toBe(0);
  });

  it('aborts the work when the caller aborts', async () => {
    const policy = timeout({ timeoutMs: 1000, clock: new FakeClock() });
    const caller = new AbortController();
    const p = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), caller.signal);
    caller.abort(new Error('user left'));
    await expect(p).rejects.toThrow('user left');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(policy.pending).toBe(0);
  });

  it('nested in retry, 100k calls leak no abort listeners and keep the heap bounded', async () => {
    const clock = new FakeClock();
    const policy = pipeline(retry({ maxAttempts: 2, backoff: constantBackoff(0), clock }), timeout({ timeoutMs: 1000, clock }));
    const caller = new AbortController();
    let reads = 0;
    const work = ({ signal }: { signal: AbortSignal }) => {
      if (signal.aborted) throw new Error('aborted');
      reads++;
      return reads;
    };
    const round = async (n: number) => {
      for (let i = 0; i < n; i++) await policy.execute(work, caller.signal);
    };
    await round(10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await round(90_000);
    gc();
    const after = process.memoryUsage().heapUsed;
    expect(reads).toBe(100_000);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(after - before).toBeLessThan(8 * 1024 * 1024);
  }, 30_000);

  it('leaves no listener on the caller signal after a retried timeout either', async () => {
    const clock = new FakeClock();
    const policy = pipeline(retry({ maxAttempts: 3, backoff: constantBackoff(5), clock }), timeout({ timeoutMs: 10, clock }));
    const caller = new AbortController();
    const p = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), caller.signal);
    const outcome = p.catch((e: unknown) => e);
    await clock.advance(100);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
