import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';

/** Resolution of the shared coarse time of the system clock: 10 ms. */
export const COARSE_TIME_RESOLUTION_MS = 10;

/**
 * A cheap "now" for hot paths that stamp deadlines. Reading the wall clock costs 25–250 ns
 * depending on the machine's clock source — more than the rest of a timeout's bookkeeping. This
 * reads the clock once, then refreshes the cached value every `resolutionMs` from a timer on the
 * same clock, and only while someone keeps reading (an idle process stops ticking after one
 * period). Values are never ahead of the clock and at most about `resolutionMs` behind.
 *
 * Policies use {@link coarseTimeFor}: coarse time for the system clock, exact time for any other
 * clock (a FakeClock stays exact to the millisecond).
 *
 * @example const time = coarseTimeFor(systemClock); const stampedAt = time.now();
 */
export class CoarseTime {
  private current = 0;
  private ticking = false;
  private readSinceTick = false;
  private timer: TimerHandle | undefined = undefined;
  private readonly onTick: () => void;

  constructor(
    private readonly clock: Clock,
    readonly resolutionMs: number = COARSE_TIME_RESOLUTION_MS,
  ) {
    this.onTick = () => this.tick();
  }

  /** The cached time (ms since the epoch). */
  now(): number {
    this.readSinceTick = true;
    if (!this.ticking) {
      this.ticking = true;
      this.current = this.clock.now();
      this.timer = this.clock.setTimeout(this.onTick, this.resolutionMs);
    }
    return this.current;
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.readSinceTick) {
      this.ticking = false;
      return;
    }
    this.readSinceTick = false;
    this.current = this.clock.now();
    this.timer = this.clock.setTimeout(this.onTick, this.resolutionMs);
  }
}

/** Anything with a `now()`: a Clock or a CoarseTime. */
export interface TimeSource {
  now(): number;
}

const systemCoarseTime = new CoarseTime(systemClock);

/** Coarse time for `systemClock` (shared, 10 ms resolution); the clock itself (exact) otherwise. */
export function coarseTimeFor(clock: Clock): TimeSource {
  return clock === systemClock ? systemCoarseTime : clock;
}
