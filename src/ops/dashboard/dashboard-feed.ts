import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import type { BreakerEvent, EjectionEvent, RequestEvent } from '../../llm/router-events.js';
import type { Event } from '../../core/events.js';
import type { AlertNotification } from '../alert-types.js';
import { buildDashboardSnapshot, type DashboardSnapshot, type DashboardSources } from './dashboard-snapshot.js';
import { DEFAULT_MIX_MAX_ROUTES, DEFAULT_MIX_SECONDS, HISTORY_BUCKET_MS, HISTORY_BUCKETS, ServedMix, tenantOf } from './served-mix.js';
import { alertEntry, breakerEntry, DEFAULT_TIMELINE_SIZE, ejectionEntry, Timeline, type TimelineEntry } from './timeline.js';

/** A snapshot goes to every connected page this often. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 1000;
/** A page that lets this much unsent data pile up (it stopped reading) is disconnected. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1_048_576;
/** Browsers reconnect after this long when the stream breaks (the SSE `retry:` field). */
export const SSE_RETRY_MS = 3000;

/** Options of {@link DashboardFeed}; every field has a default. */
export interface DashboardFeedOptions {
  /** Default {@link DEFAULT_SNAPSHOT_INTERVAL_MS}. */
  intervalMs?: number;
  /** Default {@link DEFAULT_TIMELINE_SIZE}. */
  timelineSize?: number;
  /** Default {@link DEFAULT_MAX_BUFFERED_BYTES}. */
  maxBufferedBytes?: number;
  /** Called when a snapshot cannot be built (the stream keeps going). */
  onError?: (error: unknown) => void;
}

/** The router events the feed listens to (structural: any router with these). */
export interface DashboardEventSource {
  onRequest: Event<RequestEvent>;
  onBreaker: Event<BreakerEvent>;
  onEjection: Event<EjectionEvent>;
}

/**
 * The dashboard's live feed over Server-Sent Events. Recording (requests into the served-by mix,
 * breaker/ejection/alert events into the timeline) is O(1) and allocation-free per request; the
 * snapshot is built and serialized once per tick and only while at least one page is connected,
 * so the feed costs requests nothing measurable. A page that stops reading is skipped, then
 * disconnected past {@link DEFAULT_MAX_BUFFERED_BYTES}; a page that leaves is forgotten at once.
 *
 * Messages: `hello` (the timeline so far), `snapshot` ({@link DashboardSnapshot}) each interval,
 * `timeline` ({@link TimelineEntry}) as events happen.
 *
 * @example feed.attach(router); routes.add({ path: '/dashboard/events', handler: (c, req, res) => feed.connect(res) })
 */
export class DashboardFeed {
  readonly mix = new ServedMix();
  /** The last hour at one-minute resolution (requests by who answered, latency, tokens). */
  readonly history = new ServedMix(HISTORY_BUCKETS, DEFAULT_MIX_MAX_ROUTES, HISTORY_BUCKET_MS);
  /** The last minute per tenant (tenants come from the configured keys: bounded). */
  readonly tenants = new ServedMix(DEFAULT_MIX_SECONDS, DEFAULT_MIX_MAX_ROUTES, 1000, tenantOf);
  readonly timeline: Timeline;
  private readonly clients = new Set<ServerResponse>();
  private readonly intervalMs: number;
  private readonly maxBufferedBytes: number;
  private timer: TimerHandle | undefined;
  private closed = false;

  /** Router listeners, bound once (no closure per event). */
  readonly recordRequest = (e: RequestEvent): void => {
    this.mix.record(e);
    this.history.record(e);
    this.tenants.record(e);
  };
  readonly recordBreaker = (e: BreakerEvent): void => this.note(breakerEntry(e));
  readonly recordEjection = (e: EjectionEvent): void => this.note(ejectionEntry(e));
  readonly recordAlert = (n: AlertNotification): void => this.note(alertEntry(n));

  constructor(private readonly sources: DashboardSources, private readonly clock: Clock, private readonly options: DashboardFeedOptions = {}) {
    this.intervalMs = positive('intervalMs', options.intervalMs, DEFAULT_SNAPSHOT_INTERVAL_MS);
    this.maxBufferedBytes = positive('maxBufferedBytes', options.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES);
    this.timeline = new Timeline(positive('timelineSize', options.timelineSize, DEFAULT_TIMELINE_SIZE));
  }

  /** Subscribes to a router's request, breaker and ejection events; returns the unsubscriber. */
  attach(router: DashboardEventSource): () => void {
    const disposers = [router.onRequest(this.recordRequest), router.onBreaker(this.recordBreaker), router.onEjection(this.recordEjection)];
    return () => {
      for (const dispose of disposers) dispose();
    };
  }

  /** Adds an entry to the timeline and sends it to every page. */
  note(entry: TimelineEntry): void {
    this.timeline.add(entry);
    if (this.clients.size > 0) this.broadcast(frame('timeline', JSON.stringify(entry)), false);
  }

  /** Pages connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** The snapshot pages get now. */
  snapshot(): DashboardSnapshot {
    return buildDashboardSnapshot(this.sources, this.mix, this.clock.now(), this.history, this.tenants);
  }

  /**
   * Turns `res` into an event stream: headers, the timeline so far, a first snapshot, then a
   * snapshot each interval until the page goes away (or {@link DashboardFeed.close}).
   */
  connect(res: ServerResponse, headers: Record<string, string> = {}): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('shutting down');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    res.write(frame('hello', JSON.stringify({ timeline: this.timeline.list() })));
    const first = this.serializedSnapshot();
    if (first !== undefined) res.write(frame('snapshot', first));
    this.clients.add(res);
    res.once('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopTimer();
    });
    if (this.timer === undefined) this.schedule();
  }

  /** Ends every stream and stops the timer; new pages get 503. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  /** Builds and sends one snapshot now (the timer does it each interval). */
  tick(): void {
    if (this.clients.size === 0) return;
    const json = this.serializedSnapshot();
    if (json !== undefined) this.broadcast(frame('snapshot', json), true);
  }

  private serializedSnapshot(): string | undefined {
    try {
      return JSON.stringify(this.snapshot());
    } catch (error) {
      this.options.onError?.(error);
      return undefined;
    }
  }

  private broadcast(text: string, skippable: boolean): void {
    for (const res of this.clients) {
      if (res.destroyed) continue;
      if (res.writableLength > this.maxBufferedBytes) {
        res.destroy();
        continue;
      }
      // A page still digesting the previous snapshot gets the next one instead of both.
      if (skippable && res.writableNeedDrain) continue;
      res.write(text);
    }
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.clients.size === 0 || this.closed) return;
      this.tick();
      this.schedule();
    }, this.intervalMs);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function frame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

function positive(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(`dashboard: ${field} must be a positive number (got ${JSON.stringify(value)})`);
  }
  return value;
}
