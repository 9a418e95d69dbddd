import { sleep } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import type { AlertNotification, AlertSink } from './alert-types.js';
import type { OpsLogger } from './logger.js';

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
 * drained by a single async loop, each send retried with exponential backoff on the injected
 * clock (`baseDelayMs · 2^(n-1)`, capped at `maxDelayMs`). `push` is synchronous and O(1), so an
 * evaluation tick — let alone a request — never waits on a webhook. (src/core has no retry policy
 * yet, so this small loop stands in for it.)
 */
export class DeliveryQueue {
  private readonly items: AlertNotification[] = [];
  private draining: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** Notifications dropped because the queue was full. */
  dropped = 0;

  constructor(
    readonly sink: AlertSink,
    private readonly clock: Clock,
    private readonly options: DeliveryOptions,
    private readonly report: DeliveryReport,
    private readonly logger: OpsLogger,
  ) {}

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
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sink.send(notification);
        this.report(this.sink.name, 'sent');
        return;
      } catch (error) {
        if (attempt >= maxAttempts || this.abort.signal.aborted) {
          this.report(this.sink.name, 'failed');
          this.logger.warn({ sink: this.sink.name, alert: notification.id, attempts: attempt, error: describe(error) }, 'alert delivery failed; giving up');
          return;
        }
        this.report(this.sink.name, 'retried');
        try {
          await sleep(this.clock, Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), this.abort.signal);
        } catch {
          return; // closed while waiting
        }
      }
    }
  }
}

/** An error's class and message only (sinks never put URLs or headers into their errors). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
