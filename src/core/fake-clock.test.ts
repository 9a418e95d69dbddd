import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { sleep } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in due order only when time is advanced', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    clock.setTimeout(() => fired.push('c'), 200);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['a']);
    await clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(200);
  });

  it('runs timers scheduled by promise reactions inside the same advance', async () => {
    const clock = new FakeClock(0);
    const done = (async () => {
      await sleep(clock, 50);
      await sleep(clock, 50);
      return clock.now();
    })();
    await clock.advance(100);
    await expect(done).resolves.toBe(100);
  });

  it('sleep rejects at once with the abort reason and clears its timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const waiting = sleep(clock, 1000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(clock.pendingTimers).toBe(0);
  });
});
