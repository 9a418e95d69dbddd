import { describe, expect, it } from 'vitest';
import { sleep } from '../clock.js';
import { BrokenCircuitError, TimeoutError } from '../errors.js';
import { FakeClock } from '../fake-clock.js';
import { isRunnable } from '../policy.js';
import { pipeline } from '../pipeline.js';
import { constantBackoff } from '../backoff.js';
import { retry } from '../retry.js';
import { timeout } from '../timeout.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';

describe('CircuitBreaker inside pipeline()', () => {
  it('is a RunnablePolicy and counts each retried attempt', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(3), openMs: 1000 });
    expect(isRunnable(breaker)).toBe(true);
    let calls = 0;
    const guarded = pipeline(retry({ maxAttempts: 5, clock, backoff: { delayMs: () => 0 }, shouldRetry: (e) => !(e instanceof BrokenCircuitError) }), breaker);
    const error = await guarded.execute(() => { calls++; throw new Error('down'); }).catch((e) => e);
    // 3 failures open the circuit; the 4th attempt is refused without a call (and not retried).
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(breaker.state).toBe('open');
  });

  it('an outer timeout aborting the call is a cancellation, not a failure of the dependency', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(1), openMs: 1000 });
    const guarded = pipeline(timeout({ timeoutMs: 100, clock }), breaker);
    const p = guarded.execute(({ signal }) => sleep(clock, 10_000, signal)).catch((e) => e);
    await clock.advance(100);
    expect(await p).toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe('closed');
    // An attempt timeout *inside* the breaker is a failure it counts.
    const inner = pipeline(breaker, timeout({ timeoutMs: 100, clock }));
    const q = inner.execute(({ signal }) => sleep(clock, 10_000, signal)).catch((e) => e);
    await clock.advance(100);
    expect(await q).toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe('open');
  });
  it('half-open under retry: concurrent calls send one probe; the others are refused, retried, and pass once it closes', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(1), openMs: 1000 });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await clock.advance(1000);
    const guarded = pipeline(retry({ maxAttempts: 3, clock, backoff: constantBackoff(50) }), breaker);
    let upstream = 0;
    let answerProbe!: (value: string) => void;
    const probe = new Promise<string>((resolve) => (answerProbe = resolve));
    const answers = [1, 2, 3].map(() => guarded.execute(() => (++upstream === 1 ? probe : 'after')).catch((e: unknown) => e));
    await clock.advance(50); // the refused ones retry while the probe is still out
    expect(upstream).toBe(1);
    expect(breaker.state).toBe('half-open');
    answerProbe('probe');
    await clock.advance(50);
    expect(await Promise.all(answers)).toEqual(['probe', 'after', 'after']);
    expect(upstream).toBe(3);
    expect(breaker.state).toBe('closed');
  });
});
