import type { Clock, TimerHandle } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import type { Event } from '../core/events.js';

/** A cheap liveness check of one deployment (e.g. `GET /models` or a 1-token completion). Rejects on failure. */
export type ProbeFunction = (deploymentId: string, signal: AbortSignal) => Promise<void>;

/** One probe's outcome: the router may eject on `ok: false` and re-admit on `ok: true`. */
export interface ProbeResult {
  deployment: string;
  ok: boolean;
  /** `timeout`, an LlmError kind when the probe threw one, or `error`. */
  errorKind?: string;
  durationMs: number;
  at: number;
}

/** Prober settings (defaults: every 30 s, 5-s timeout). */
export interface ProberOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Which deployments to probe on each round (read every round, so it follows config reloads). */
  deployments: () => readonly string[];
  probe: ProbeFunction;
}

class ProbeTimeout extends Error {
  constructor() {
    super('probe timed out');
  }
}

/**
 * Runs `probe` for every deployment each `intervalMs` on the injected clock (rounds never
 * overlap: the next is scheduled when the current one settles), with a per-probe timeout, and
 * emits each {@link ProbeResult} on `onResult`.
 *
 * @example const prober = new Prober(clock, { intervalMs: 30_000, timeoutMs: 5_000, deployments, probe }); prober.start();
 */
export class Prober {
  private readonly emitter = new EventEmitter<ProbeResult>();
  /** Each probe result. */
  readonly onResult: Event<ProbeResult> = this.emitter.event;
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly abort = new AbortController();

  constructor(private readonly clock: Clock, private readonly options: ProberOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
  }

  /** Probes every deployment once, concurrently; resolves with the results. */
  async runOnce(): Promise<ProbeResult[]> {
    const ids = this.options.deployments();
    const results = await Promise.all(ids.map((id) => this.probeOne(id)));
    for (const r of results) this.emitter.emit(r);
    return results;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      if (!this.running) return;
      void this.runOnce().finally(() => {
        if (this.running) this.schedule();
      });
    }, this.options.intervalMs);
  }

  private async probeOne(id: string): Promise<ProbeResult> {
    const started = this.clock.now();
    const controller = new AbortController();
    const onStop = () => controller.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    let handle: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      handle = this.clock.setTimeout(() => {
        const error = new ProbeTimeout();
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    try {
      await Promise.race([this.options.probe(id, controller.signal), timeout]);
      return { deployment: id, ok: true, durationMs: this.clock.now() - started, at: this.clock.now() };
    } catch (error) {
      return { deployment: id, ok: false, errorKind: kindOf(error), durationMs: this.clock.now() - started, at: this.clock.now() };
    } finally {
      this.clock.clearTimeout(handle);
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }
}

function kindOf(error: unknown): string {
  if (error instanceof ProbeTimeout) return 'timeout';
  const kind = (error as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && /^[a-z_]{1,40}$/.test(kind) ? kind : 'error';
}
