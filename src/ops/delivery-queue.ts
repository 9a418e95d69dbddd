import type { Clock } from '../core/clock.js';
import { exponentialBackoff } from '../core/backoff.js';
import { retry } from '../core/retry.js';
import type { RetryPolicy } from '../core/retry.js';
import type { AlertNotification, AlertSink } from './alert-types.js';
import type { OpsLogger } from './logger.js';

/** Per-sink queue bound and retry settings (defaults in `defaults.ts`: 1000, 5 attempts, 1 s, 30 s). */
export interface DeliveryOptions {
  queueSize: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delivery outcome callback (feeds `bulwark_alert_notifications_total`). */
export type DeliveryReport = (sink: string, status: 'sent' | 'failed' | 'dropped' | 'retried') => void;

/**
 * One sink's outbound queue: bounded (the oldest notification is dropped when full, and counted),
 * drained by a single async loop, each send run through the core retry policy on the injected
 * clock: exponential backoff `baseDelayMs · 2^(n-1)` capped at `maxDelayMs`, without jitter (a
 * handful of alerts cannot stampede a receiver), longer when the receiver sends Retry-After.
 * `push` is synchronous and O(1), so an evaluation tick — let alone a request — never waits on
 * a webhook.
 */
export class DeliveryQueue {
  private readonly items: AlertNotification[] = [];
  private draining: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly retry: RetryPolicy;
  /** Notifications dropped because the queue was full. */
  dropped = 0;

  constructor(
    readonly sink: AlertSink,
    private readonly clock: Clock,
    private readonly options: DeliveryOptions,
    private readonly report: DeliveryReport,
    private readonly logger: OpsLogger,
  ) {
    this.retry = retry({
      clock,
      maxAttempts: options.maxAttempts,
      maxDelayMs: options.maxDelayMs,
      backoff: exponentialBackoff({ initialDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs, jitter: 'none' }),
    });
    this.retry.onRetry(() => this.report(this.sink.name, 'retried'));
  }

  get size(): number {
    return this.items.length;
  }

  push(notification: AlertNotification): void {
    if (this.abort.signal.aborted) return;
    if (this.items.length >= this.options.queueSize) {
      this.items.shift();
      this.dropped++;
      this.report(this.sink.name, 'dropped');
    }
    this.items.push(notification);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when everything queued so far has been sent or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops delivering: pending backoff waits end, queued notifications are discarded. */
  close(): void {
    this.abort.abort();
    this.items.length = 0;
  }

  private async drain(): Promise<void> {
    // Start on a later turn: the caller's synchronous work (an evaluation tick) finishes first.
    await Promise.resolve();
    while (this.items.length > 0 && !this.abort.signal.aborted) {
      const notification = this.items.shift()!;
      await this.deliver(notification);
    }
  }

  private async deliver(notification: AlertNotification): Promise<void> {
    try {
      await this.retry.execute(({ signal }) => this.sink.send(notification, signal), this.abort.signal);
      this.report(this.sink.name, 'sent');
    } catch (error) {
      if (this.abort.signal.aborted) return; // closed while sending or waiting
      this.report(this.sink.name, 'failed');
      this.logger.warn({ sink: this.sink.name, alert: notification.id, error: describe(error) }, 'alert delivery failed; giving up');
    }
  }
}

/** An error's class and message only (sinks never put URLs or headers into their errors). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
