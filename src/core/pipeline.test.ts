import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { constantBackoff } from './backoff.js';
import { InvalidOptionsError, TimeoutError } from './errors.js';
import { Execution } from './execution.js';
import { FakeClock } from './fake-clock.js';
import { pipeline } from './pipeline.js';
import type { Operation, Policy } from './policy.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';

/** A policy without the run() fast path, recording the order it was entered. */
function foreign(name: string, log: string[]): Policy {
  return {
    async execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
      log.push(`>${name}`);
      try {
        return await operation({ signal: signal ?? new AbortController().signal, attempt: 7 });
      } finally {
        log.push(`<${name}`);
      }
    },
  };
}

describe('pipeline', () => {
  it('runs policies outermost first and is frozen', async () => {
    const log: string[] = [];
    const p = pipeline(foreign('a', log), foreign('b', log));
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.policies)).toBe(true);
    await expect(p.execute(() => { log.push('work'); return 42; })).resolves.toBe(42);
    expect(log).toEqual(['>a', '>b', 'work', '<b', '<a']);
  });

  it('an empty pipeline just runs the operation, turning a sync throw into a rejection', async () => {
    await expect(pipeline().execute(() => 'x')).resolves.toBe('x');
    await expect(pipeline().execute(() => { throw new Error('sync'); })).rejects.toThrow('sync');
  });

  it('rejects a non-policy at build time, naming its position', () => {
    expect(() => pipeline(retry(), {} as Policy)).toThrow(InvalidOptionsError);
    expect(() => pipeline(retry(), {} as Policy)).toThrow(/policies\[1\]/);
  });

  it('total timeout outside retry bounds all attempts; attempt timeout inside bounds each', async () => {
    const clock = new FakeClock();
    const total = timeout({ timeoutMs: 250, clock });
    const attemptTimeout = timeout({ timeoutMs: 100, clock });
    const p = pipeline(total, retry({ maxAttempts: 10, backoff: constantBackoff(0), clock }), attemptTimeout);
    const attempts: number[] = [];
    const outcome = p.execute(({ attempt, signal }) => {
      attempts.push(attempt);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }).catch((e: unknown) => e);
    await clock.advance(300);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(250);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('a caller abort during an attempt (retry outside an attempt timeout) ends the call with its reason: no retry, no timeout later', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    let attempts = 0;
    const guarded = pipeline(retry({ maxAttempts: 5, clock, backoff: constantBackoff(10) }), timeout({ timeoutMs: 100, clock }));
    const outcome = guarded
      .execute(({ signal }) => {
        attempts++;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }, caller.signal)
      .catch((e: unknown) => e);
    await clock.advance(50);
    caller.abort(new Error('caller left'));
    expect(await outcome).toMatchObject({ message: 'caller left' });
    await clock.advance(1_000);
    expect(attempts).toBe(1);
  });

  it('carries attempt numbers and signals through foreign policies', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const p = pipeline(retry({ maxAttempts: 2, backoff: constantBackoff(0), clock }), foreign('f', log));
    const seen: number[] = [];
    const outcome = p.execute(({ attempt }) => { seen.push(attempt); return seen.length < 2 ? Promise.reject(new Error('x')) : 'ok'; });
    await clock.advance(0);
    await expect(outcome).resolves.toBe('ok');
    expect(seen).toEqual([7, 7]);
  });

  it('nests: a pipeline inside a pipeline', async () => {
    const clock = new FakeClock();
    const inner = pipeline(timeout({ timeoutMs: 10, clock }));
    const outer = pipeline(retry({ maxAttempts: 2, backoff: constantBackoff(0), clock }), inner);
    let calls = 0;
    const outcome = outer.execute(() => (++calls === 1 ? new Promise(() => {}) : 'second'));
    await clock.advance(20);
    await expect(outcome).resolves.toBe('second');
    expect(calls).toBe(2);
  });

  it('run() composes inside a foreign caller that brings its own operation', async () => {
    const clock = new FakeClock();
    const inner = pipeline(timeout({ timeoutMs: 10, clock }));
    const outer = pipeline(retry({ maxAttempts: 2, backoff: constantBackoff(0), clock }), { execute: inner.execute.bind(inner), run: inner.run.bind(inner) } as Policy);
    let calls = 0;
    const outcome = outer.execute(() => (++calls === 1 ? new Promise(() => {}) : 'second'));
    await clock.advance(20);
    await expect(outcome).resolves.toBe('second');
    expect(calls).toBe(2);
  });

  it('does not create an AbortController for work that never reads its signal', async () => {
    const caller = new AbortController();
    const p = pipeline(retry({ clock: new FakeClock() }), timeout({ clock: new FakeClock() }));
    let context: Execution | undefined;
    await p.execute((ctx) => { context = ctx as Execution; return 1; }, caller.signal);
    expect((context as unknown as { controller: unknown }).controller).toBeUndefined();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
