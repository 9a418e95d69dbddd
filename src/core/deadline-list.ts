import type { Clock, TimerHandle } from './clock.js';
import { COARSE_TIME_RESOLUTION_MS, coarseTimeFor, type TimeSource } from './coarse-time.js';

/** An entry of a {@link DeadlineList}: the list links it in place (no wrapper object per entry). */
export interface DeadlineEntry {
  deadline: number;
  previousEntry: DeadlineEntry | undefined;
  nextEntry: DeadlineEntry | undefined;
  /** Set while the entry is linked into a list. */
  listed: boolean;
  /** Called once when the deadline passes (the entry is already unlinked). */
  expire(): void;
}

/**
 * The list links of a {@link DeadlineEntry}, for classes that are entries (a timed call, a queued
 * call, a hedged call): extend it and implement `expire()`.
 */
export abstract class DeadlineNode implements DeadlineEntry {
  deadline = 0;
  previousEntry: DeadlineEntry | undefined = undefined;
  nextEntry: DeadlineEntry | undefined = undefined;
  listed = false;
  abstract expire(): void;
}

/**
 * Many deadlines, one timer. Entries are kept sorted by deadline in a doubly linked list (a
 * timeout policy appends in order, so insertion is O(1); removal is always O(1)), and a single
 * timer on the injected {@link Clock} is armed for the earliest one — the idea of undici's fast
 * timers, but exact on a FakeClock.
 *
 * Removing an entry never touches the timer: a call that finishes in 2 ms does not pay for a
 * clearTimeout + setTimeout. The timer, when it fires, expires what is due and re-arms for the
 * new head, so steady traffic costs about one timer per `timeoutMs`, not one per call. An idle
 * list keeps at most one pending timer (unref'd on the system clock) for at most one period.
 *
 * @example
 * const list = new DeadlineList(systemClock);
 * list.add(entry, 5000); // entry.expire() runs in 5 s unless list.remove(entry) first
 */
export class DeadlineList {
  private head: DeadlineEntry | undefined = undefined;
  private tail: DeadlineEntry | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private timerAt = Infinity;
  private readonly clock: Clock;
  private readonly stampTime: TimeSource;
  private readonly onTimer: () => void;
  private count = 0;

  constructor(clock: Clock) {
    this.clock = clock;
    this.stampTime = coarseTimeFor(clock);
    this.onTimer = () => this.fire();
  }

  /** Entries waiting. */
  get size(): number {
    return this.count;
  }

  /**
   * Schedules `entry.expire()` at `now + delayMs`. On the system clock `now` is the shared coarse
   * time, and the resolution is added so that a deadline never fires early: it fires up to
   * ~10 ms late. On any other clock (FakeClock) it is exact.
   */
  add(entry: DeadlineEntry, delayMs: number): void {
    const deadline = this.stampTime === this.clock ? this.clock.now() + delayMs : this.stampTime.now() + delayMs + COARSE_TIME_RESOLUTION_MS;
    entry.deadline = deadline;
    entry.listed = true;
    this.count++;
    // Walk back from the tail: with one duration per list this stops at once.
    let after = this.tail;
    while (after !== undefined && after.deadline > deadline) after = after.previousEntry;
    if (after === undefined) {
      entry.previousEntry = undefined;
      entry.nextEntry = this.head;
      if (this.head !== undefined) this.head.previousEntry = entry;
      else this.tail = entry;
      this.head = entry;
    } else {
      entry.previousEntry = after;
      entry.nextEntry = after.nextEntry;
      if (after.nextEntry !== undefined) after.nextEntry.previousEntry = entry;
      else this.tail = entry;
      after.nextEntry = entry;
    }
    if (deadline < this.timerAt) this.arm(deadline);
  }

  /** Cancels an entry (no-op when it already expired or was removed). */
  remove(entry: DeadlineEntry): void {
    if (!entry.listed) return;
    entry.listed = false;
    this.count--;
    const { previousEntry, nextEntry } = entry;
    if (previousEntry !== undefined) previousEntry.nextEntry = nextEntry;
    else this.head = nextEntry;
    if (nextEntry !== undefined) nextEntry.previousEntry = previousEntry;
    else this.tail = previousEntry;
    entry.previousEntry = undefined;
    entry.nextEntry = undefined;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(this.onTimer, at - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    let entry = this.head;
    while (entry !== undefined && entry.deadline <= now) {
      this.remove(entry);
      entry.expire();
      entry = this.head;
    }
    if (this.head !== undefined && this.timer === undefined) this.arm(this.head.deadline);
  }
}
