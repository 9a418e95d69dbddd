/**
 * Time, injected. Every policy takes a {@link Clock}; production uses {@link systemClock},
 * tests use {@link FakeClock} (see `fake-clock.ts`) so that no test ever sleeps.
 */

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

export interface Clock {
  /** Wall-clock milliseconds since the epoch (so HTTP dates such as Retry-After compare directly). */
  now(): number;
  /** Runs `callback` once after `delayMs`. Real timers never keep the process alive. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Longest delay a Node timer takes (2^31 - 1 ms, ~24.8 days); Node runs longer ones after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * The real clock. In Node its timers are unref'd: a pending policy timer never keeps Node running
 * (elsewhere — browsers, workers, edge runtimes — timers have no such notion and run as is).
 * Delays beyond {@link MAX_TIMER_DELAY_MS} are capped to it instead of firing after 1 ms (a
 * DeadlineList then re-arms until its deadline is due).
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: unknown = setTimeout(callback, Math.min(delayMs, MAX_TIMER_DELAY_MS));
    // Node's timers have unref(); browsers, workers and edge runtimes return a number.
    const unref = timer !== null && typeof timer === 'object' ? (timer as { unref?: unknown }).unref : undefined;
    if (typeof unref === 'function') unref.call(timer);
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
});

/**
 * Waits `delayMs` on `clock`; rejects with the signal's reason as soon as `signal` aborts
 * (the timer is cleared and the listener removed, so nothing leaks). Unlike a policy's guard
 * timers, a sleep is work its caller awaits (a retry's backoff, a rate limiter's wait): on the
 * system clock it keeps Node running like pending I/O, so a script awaiting it does not exit early.
 *
 * @example await sleep(systemClock, 250, signal);
 */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (delayMs <= 0 && !signal) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, delayMs));
    keepAlive(handle);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Re-refs a Node timer handle (systemClock's are unref'd); other clocks' handles are left alone. */
function keepAlive(handle: TimerHandle): void {
  const ref = handle !== null && typeof handle === 'object' ? (handle as { ref?: unknown }).ref : undefined;
  if (typeof ref === 'function') ref.call(handle);
}
