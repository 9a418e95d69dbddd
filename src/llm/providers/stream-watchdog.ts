/**
 * Time-to-first-token and idle-gap enforcement for one upstream stream, on an injected clock.
 * One timer at most is pending at a time and it is re-armed lazily, so a fast stream costs one
 * timer per deadline, not one per chunk. Time the *consumer* spends between two reads does not
 * count against the upstream: the watchdog is paused while an event is being handed over.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { LlmError } from '../errors.js';

/** Enforces first-token and idle-gap timeouts on one upstream stream (see the file comment). */
export class StreamWatchdog {
  private deadline = Infinity;
  private timer: TimerHandle | undefined = undefined;
  private timerDueAt = Infinity;
  private waiting = false;
  private gotFirst = false;
  private stopped = false;
  private readonly check = () => this.onTimer();

  /**
   * @param onTimeout called once, with a `timeout` LlmError, when a deadline passes while waiting upstream.
   * @param firstTokenTimeoutMs measured from {@link start} to the first event; undefined = no limit.
   * @param idleTimeoutMs max wait for each later event; undefined = no limit.
   */
  constructor(
    private readonly clock: Clock,
    private readonly onTimeout: (error: LlmError) => void,
    private readonly firstTokenTimeoutMs: number | undefined,
    private readonly idleTimeoutMs: number | undefined,
  ) {}

  /** The request is about to be sent: the first-token deadline starts now. */
  start(): void {
    this.waiting = true;
    if (this.firstTokenTimeoutMs !== undefined) this.setDeadline(this.clock.now() + this.firstTokenTimeoutMs);
  }

  /** An event is being handed to the consumer: stop counting. */
  pause(): void {
    this.gotFirst = true;
    this.waiting = false;
  }

  /** The consumer asked for the next event: the idle deadline starts now. */
  resume(): void {
    this.waiting = true;
    this.setDeadline(this.idleTimeoutMs === undefined ? Infinity : this.clock.now() + this.idleTimeoutMs);
  }

  /** Clears the timer; the watchdog never fires afterwards. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setDeadline(at: number): void {
    this.deadline = at;
    if (at === Infinity || this.stopped) return;
    if (this.timer !== undefined && this.timerDueAt <= at) return; // the pending timer will re-check
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.arm(at);
  }

  private arm(at: number): void {
    this.timerDueAt = at;
    this.timer = this.clock.setTimeout(this.check, Math.max(0, at - this.clock.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.stopped || !this.waiting || this.deadline === Infinity) return;
    if (this.clock.now() < this.deadline) {
      this.arm(this.deadline);
      return;
    }
    this.stop();
    this.onTimeout(this.gotFirst
      ? new LlmError('timeout', `No stream event for ${this.idleTimeoutMs} ms (idle timeout)`)
      : new LlmError('timeout', `No first stream event within ${this.firstTokenTimeoutMs} ms (first-token timeout)`));
  }
}
