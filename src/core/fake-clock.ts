import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * Lets queued promise reactions run (real macrotask turn), so async code can schedule its next
 * timer. setImmediate is Node's; browsers and workers get a zero-delay timer instead.
 */
const nextMacrotask: (callback: () => void) => unknown =
  typeof globalThis.setImmediate === 'function' ? globalThis.setImmediate : (callback) => globalThis.setTimeout(callback, 0);
const flushMicrotasks = () => new Promise<void>((resolve) => nextMacrotask(resolve));

/**
 * A virtual clock for tests and simulations. Time moves only when you say so.
 *
 * @example
 * const clock = new FakeClock();
 * const p = sleep(clock, 1000);
 * await clock.advance(1000); // p is now resolved
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  /** @param startMs initial wall-clock time (default 2026-01-01T00:00:00Z, so HTTP dates are realistic). */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: FakeTimer = { id: this.nextId++, at: this.current + Math.max(0, delayMs), callback };
    // Keep timers sorted by due time, then creation order (binary search insert).
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid].at <= timer.at) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const index = this.timers.findIndex((t) => t.id === handle);
    if (index >= 0) this.timers.splice(index, 1);
  }

  /** Number of timers still waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting promise reactions run
   * between them (timers scheduled by those reactions fire too if they fall inside the window).
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    while (this.timers.length > 0 && this.timers[0].at <= target) {
      const timer = this.timers.shift()!;
      this.current = Math.max(this.current, timer.at);
      timer.callback();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Fires every pending timer (and those they schedule), up to `maxTimers` as a guard against loops. */
  async runAll(maxTimers = 10_000): Promise<void> {
    await flushMicrotasks();
    for (let fired = 0; this.timers.length > 0; fired++) {
      if (fired >= maxTimers) throw new Error(`FakeClock.runAll: more than ${maxTimers} timers fired; a timer loop?`);
      const timer = this.timers.shift()!;
      this.current = Math.max(this.current, timer.at);
      timer.callback();
      await flushMicrotasks();
    }
  }

  /** Sets the time without firing timers (for tests of wall-clock jumps). */
  setTime(ms: number): void {
    this.current = ms;
  }
}
