import { type Clock, sleep, systemClock } from '../../core/clock.js';
import { InvalidOptionsError, TimeoutError } from '../../core/errors.js';
import { type LatencySummary, Recorder, type Sample, type SecondBucket } from './recorder.js';
import { arrivalTimes, type RampStage } from './schedule.js';
import { holds, type Threshold } from './thresholds.js';

/** What one request produced, as reported by a {@link Send} function. */
export interface SendResult {
  ok: boolean;
  status: number;
  servedBy?: string;
  degraded?: boolean;
  /** Streams: when the first body chunk arrived, on the run's `now()` scale. */
  firstChunkAt?: number;
  error?: string;
}

/** Sends request number `index`; must honour `signal`. Never rejects for HTTP errors (report them). */
export type Send = (index: number, signal: AbortSignal) => Promise<SendResult>;

/** How requests are issued: open (a rate) or closed (a number of workers). */
export type LoadModel =
  /** Open model: arrivals at a fixed (or ramping) rate, whatever the server does. */
  | { kind: 'open'; rate: number; stages?: RampStage[] }
  /** Closed model: `concurrency` workers, each sending its next request when the last one ends. */
  | { kind: 'closed'; concurrency: number };

/** Options of {@link runLoad}; defaults in {@link LOAD_DEFAULTS}. */
export interface LoadOptions {
  model: LoadModel;
  /** Open model: length of the arrival schedule (ignored when stages are given). Closed: run length. */
  durationMs: number;
  /** Stop after this many requests. Default unbounded. */
  maxRequests?: number;
  /** Open model: cap on requests in flight; arrivals past it wait (their latency still counts from the intended time). Default 1000. */
  maxInFlight?: number;
  /** Per request. Default 60_000. */
  requestTimeoutMs?: number;
  thresholds?: Threshold[];
  clock?: Clock;
  /** High-resolution time in ms. Default `performance.now()` on the system clock, `clock.now()` otherwise. */
  now?: () => number;
  /** Called about every second (on the run's clock). */
  onProgress?: (progress: { elapsedMs: number; totalMs: number; requests: number; errors: number; inFlight: number }) => void;
  /** Stops the run early: requests in flight are aborted and not counted; the summary says `interrupted`. */
  signal?: AbortSignal;
}

/** One threshold after the run: what was observed and whether it held. */
export interface ThresholdResult {
  source: string;
  observed: number;
  ok: boolean;
}

/** What {@link runLoad} returns (and `bulwark load --out` writes); latencies in ms. */
export interface LoadSummary {
  model: LoadModel;
  durationMs: number;
  requests: number;
  errors: number;
  errorRate: number;
  throughputRps: number;
  /** From the intended send time (corrected for coordinated omission). */
  latency: LatencySummary;
  /** From the actual send time (what a naive tool reports). */
  serviceTime: LatencySummary;
  ttft?: LatencySummary;
  degradedRate: number;
  servedBy: Record<string, number>;
  errorsByKind: Record<string, number>;
  series: SecondBucket[];
  thresholds: ThresholdResult[];
  /** Whether the thresholds held (on what was measured, also when interrupted). */
  passed: boolean;
  /** Stopped early by `LoadOptions.signal`: the figures cover only the requests that finished before. */
  interrupted: boolean;
}

/** Defaults of {@link LoadOptions}: at most 1000 requests in flight (open model), 60 s per request. */
export const LOAD_DEFAULTS = Object.freeze({ maxInFlight: 1000, requestTimeoutMs: 60_000 });

/**
 * Runs a load test against `send` and returns the summary; thresholds decide `passed`.
 *
 * @example
 * const summary = await runLoad(httpChatSender({ url }), { model: { kind: 'open', rate: 100 }, durationMs: 10_000 });
 */
export async function runLoad(send: Send, options: LoadOptions): Promise<LoadSummary> {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? (clock === systemClock ? () => performance.now() : () => clock.now());
  const requestTimeoutMs = options.requestTimeoutMs ?? LOAD_DEFAULTS.requestTimeoutMs;
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  if (!(options.durationMs > 0) && !options.maxRequests) throw new InvalidOptionsError(`durationMs: expected > 0, got ${options.durationMs}`);

  const start = now();
  const recorder = new Recorder(start);
  const inFlight = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  const stop = new AbortController();
  const stopped = new Error('load run stopped');
  const onAbort = () => {
    stop.abort();
    for (const c of controllers) c.abort(stopped);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const fire = (index: number, intendedAt: number): Promise<void> => {
    const controller = new AbortController();
    controllers.add(controller);
    const timer = clock.setTimeout(() => controller.abort(new TimeoutError(requestTimeoutMs)), requestTimeoutMs);
    const sentAt = now();
    const task = send(index, controller.signal)
      .catch((error: unknown): SendResult => ({ ok: false, status: 0, error: controller.signal.aborted ? (controller.signal.reason === stopped ? CANCELLED : 'timeout') : errorName(error) }))
      .then((result) => {
        clock.clearTimeout(timer);
        controllers.delete(controller);
        // Cut short by the caller's stop (Ctrl-C): neither an answer nor a server error.
        if (result.error === CANCELLED) return;
        const sample: Sample = { ...result, intendedAt, sentAt, endedAt: now() };
        recorder.record(sample);
      });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  };

  let progressAt = start + 1000;
  const totalMs = options.model.kind === 'open' && options.model.stages?.length
    ? options.model.stages.reduce((sum, s) => sum + s.durationMs, 0)
    : options.durationMs;
  const report = () => {
    const t = now();
    if (options.onProgress && t >= progressAt) {
      progressAt = t + 1000;
      options.onProgress({ elapsedMs: t - start, totalMs, requests: recorder.requests, errors: recorder.errors, inFlight: inFlight.size });
    }
  };

  if (options.model.kind === 'open') {
    const { rate, stages } = options.model;
    const maxInFlight = options.maxInFlight ?? LOAD_DEFAULTS.maxInFlight;
    const schedule = stages?.length ? arrivalTimes(rate, stages, maxRequests) : arrivalTimes(rate, [{ durationMs: options.durationMs, target: rate }], maxRequests);
    let index = 0;
    for (const offset of schedule) {
      if (stop.signal.aborted) break;
      const intendedAt = start + offset;
      const wait = intendedAt - now();
      if (wait > 0) await sleep(clock, wait, stop.signal).catch(() => undefined);
      while (inFlight.size >= maxInFlight && !stop.signal.aborted) await Promise.race(inFlight);
      if (stop.signal.aborted) break;
      void fire(index++, intendedAt);
      report();
    }
  } else {
    const { concurrency } = options.model;
    if (!(concurrency >= 1)) throw new InvalidOptionsError(`concurrency: expected >= 1, got ${concurrency}`);
    const end = start + options.durationMs;
    let index = 0;
    const worker = async () => {
      while (!stop.signal.aborted && now() < end && index < maxRequests) {
        await fire(index++, now());
        report();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  await Promise.all(inFlight);
  options.signal?.removeEventListener('abort', onAbort);

  const durationMs = now() - start;
  return summarize(recorder, options, durationMs, options.signal?.aborted === true);
}

const CANCELLED = 'cancelled by the run stopping';

function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'error';
}

function summarize(recorder: Recorder, options: LoadOptions, durationMs: number, interrupted: boolean): LoadSummary {
  const latency = recorder.latencySummary();
  const ttft = recorder.ttft.totalCount > 0 ? recorder.ttftSummary() : undefined;
  const seconds = Math.max(durationMs / 1000, 1e-9);
  const summary: LoadSummary = {
    model: options.model,
    durationMs,
    requests: recorder.requests,
    errors: recorder.errors,
    errorRate: recorder.requests ? recorder.errors / recorder.requests : 0,
    throughputRps: recorder.requests / seconds,
    latency,
    serviceTime: recorder.serviceTimeSummary(),
    ttft,
    degradedRate: recorder.requests ? recorder.degraded / recorder.requests : 0,
    servedBy: recorder.servedBy,
    errorsByKind: recorder.errorsByKind,
    series: recorder.series(),
    thresholds: [],
    passed: true,
    interrupted,
  };
  for (const threshold of options.thresholds ?? []) {
    const observed = observe(threshold, recorder, summary);
    const ok = holds(threshold, observed);
    summary.thresholds.push({ source: threshold.source, observed, ok });
    if (!ok) summary.passed = false;
  }
  return summary;
}

function observe(threshold: Threshold, recorder: Recorder, summary: LoadSummary): number {
  const histogramFor = threshold.metric === 'time_to_first_token' ? recorder.ttft : recorder.latency;
  const percentile = /^p\((.+)\)$/.exec(threshold.aggregation);
  if (threshold.metric === 'http_req_duration' || threshold.metric === 'time_to_first_token') {
    if (histogramFor.totalCount === 0) return Number.NaN;
    if (percentile) return histogramFor.getValueAtPercentile(Number(percentile[1])) / 1000;
    switch (threshold.aggregation) {
      case 'avg': return histogramFor.mean / 1000;
      case 'min': return histogramFor.minNonZeroValue / 1000;
      case 'max': return histogramFor.maxValue / 1000;
      case 'med': return histogramFor.getValueAtPercentile(50) / 1000;
    }
  }
  const count = threshold.metric === 'http_req_failed' ? summary.errors : threshold.metric === 'degraded' ? recorder.degraded : summary.requests;
  if (threshold.aggregation === 'count') return count;
  // k6: a rate metric's `rate` is the share of true values; http_reqs' rate is per second.
  return threshold.metric === 'http_reqs' ? summary.throughputRps : summary.requests ? count / summary.requests : 0;
}
