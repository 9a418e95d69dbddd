import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bulkhead } from './bulkhead.js';
import { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import { TimeoutError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { pipeline } from './pipeline.js';
import type { ExecuteContext } from './policy.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';

/**
 * The context the fast path hands to the work (the call itself, see fast-call.ts): the same
 * signal contract as an Execution's, made only when read, and nothing left listening afterwards.
 */
describe('fast path: the work’s context', () => {
  const full = (clock: FakeClock) =>
    pipeline(retry({ maxAttempts: 1, clock }), new CircuitBreaker({ clock }), timeout({ timeoutMs: 100, clock }), bulkhead({ maxConcurrent: 2, clock }));

  it('with a timeout: the signal aborts with the TimeoutError the caller gets, and stops listening to the caller', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    let seen: ExecuteContext | undefined;
    const outcome = full(clock)
      .execute((context) => {
        seen = context;
        return new Promise(() => {}); // ignores its signal: the timeout still settles the call
      }, caller.signal)
      .catch((e: unknown) => e);
    const signal = seen!.signal;
    expect(seen!.attempt).toBe(1);
    expect(signal.aborted).toBe(false);
    expect(signal).not.toBe(caller.signal);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    await clock.advance(100);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(error);
    expect((seen as unknown as { aborted: boolean }).aborted).toBe(true);
    expect((seen as unknown as { abortReason: unknown }).abortReason).toBe(error);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('with a timeout: a signal first read after the expiry is already aborted with the TimeoutError', async () => {
    const clock = new FakeClock();
    let seen: ExecuteContext | undefined;
    const outcome = full(clock).execute((context) => { seen = context; return new Promise(() => {}); }).catch((e: unknown) => e);
    await clock.advance(100);
    const error = await outcome;
    expect(seen!.signal.aborted).toBe(true);
    expect(seen!.signal.reason).toBe(error);
  });

  it('with a timeout: the caller’s abort reaches the work’s signal with the caller’s reason', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const outcome = full(clock)
      .execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), caller.signal)
      .catch((e: unknown) => e);
    caller.abort(new Error('caller left'));
    expect(await outcome).toMatchObject({ message: 'caller left' });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('with a timeout: a call that settles in time leaves nothing listening to the caller’s signal', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const guarded = full(clock);
    await expect(guarded.execute(async ({ signal }) => (signal.aborted ? 'aborted' : 'ok'), caller.signal)).resolves.toBe('ok');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect((guarded.policies[2] as unknown as { pending: number }).pending).toBe(0);
  });

  it('without a timeout: the work’s signal is the caller’s own; without a caller signal, one that never aborts', async () => {
    const clock = new FakeClock();
    const guarded = pipeline(retry({ maxAttempts: 2, clock }), new CircuitBreaker({ clock }), bulkhead({ maxConcurrent: 2, clock }));
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    await guarded.execute((context) => { signal = context.signal; return 1; }, caller.signal);
    expect(signal).toBe(caller.signal);
    await guarded.execute((context) => { signal = context.signal; return 1; });
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal!.aborted).toBe(false);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('makes no AbortController for work that never reads its signal, with or without a caller signal', async () => {
    const clock = new FakeClock();
    const guarded = full(clock);
    const caller = new AbortController();
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      for (let i = 0; i < 100; i++) await guarded.execute(async () => i, i % 2 === 0 ? caller.signal : undefined);
      expect(made).toBe(0);
      await guarded.execute(({ signal }) => signal.aborted);
      expect(made).toBe(1); // the control: reading the signal makes one
    } finally {
      globalThis.AbortController = Original;
    }
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('a bulkhead full after the timeout: the call goes through the policies’ steps, and the timeout still aborts the attempt there', async () => {
    const clock = new FakeClock();
    const slots = bulkhead({ maxConcurrent: 1, maxQueued: 1, clock });
    const guarded = pipeline(timeout({ timeoutMs: 50, clock }), slots);
    const first = guarded.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    let queuedSignal: AbortSignal | undefined;
    const second = guarded.execute(({ signal }) => { queuedSignal = signal; return 'never'; }).catch((e: unknown) => e);
    await clock.advance(50);
    expect(await first).toBeInstanceOf(TimeoutError);
    expect(await second).toBeInstanceOf(TimeoutError);
    // The queued call never ran: its wait was cut by the timeout's abort (the first still holds its slot).
    expect(queuedSignal).toBeUndefined();
    expect(slots.queued).toBe(0);
    expect(slots.executing).toBe(1);
  });
});
