import type { Clock } from '../core/clock.js';
import { ConcurrencyLimitedError } from '../core/errors.js';
import type { ExecuteContext, Operation, RunnablePolicy } from '../core/policy.js';
import type { OpenedStream } from '../llm/router/router-deps.js';
import type { ChatResponse } from '../llm/types.js';
import * as L from './load-shedding-defaults.js';

/** Options of {@link FirstTokenLimit}; validated by the config schema (`loadShedding.*`). */
export interface FirstTokenLimitOptions {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Which failures mean "the dependency is overloaded" (the limit is cut by {@link L.DEFAULT_OVERLOAD_BACKOFF_RATIO}). */
  isOverload: (error: unknown) => boolean;
  clock: Clock;
}

/**
 * A concurrency limit for LLM traffic, driven by time to first token. It learns what an answer
 * takes unloaded as `latency ≈ firstTokenMs + msPerToken × outputTokens` (an online least-squares
 * fit: a stream's sample is its first token, x = 0; a whole answer's is its latency and output
 * tokens), so a 20 s essay and a 0.3 s one-liner are each compared with what *they* should take,
 * and what remains is queueing. The fit follows every sample while the limit is not saturated,
 * and while it is only samples that are faster than predicted (a sustained overload cannot teach
 * it that queueing is normal; a slower model still shows through, very slowly).
 *
 * Each sample's `ln((latency − slack) / predicted)` feeds a recent average (about ten samples),
 * compared with its unloaded average: the gap must beat ln 1.3 and twice the noise of a
 * ten-sample average of the dependency's own spread (so heavy-tailed latency and a few hung calls
 * are not read as a queue). While it does not the limit grows by about √limit per round trip — only when
 * at least half of the limit is in use; below that it drifts slowly down toward twice the
 * recent peak concurrency, never under it, which is why healthy traffic is never shed yet an overload
 * meets a limit near the real concurrency. Above the tolerance the limit shrinks in proportion
 * (a fifth of the way per sample, never by more than half); overload failures (timeout,
 * upstream 503/529) cut it by 10 %, once per recent latency, while they are more than 20 % of
 * recent calls (fewer are the dependency's noise: the chaos preset's random 503s and hangs).
 *
 * A call above the limit — or above its priority class's share of it — is refused at once
 * (never queued) with {@link ConcurrencyLimitedError}, whose `retryAfterMs` is the unloaded first
 * token (at least 1 s).
 *
 * Two ways in: `tryAcquire`/`release` (the gateway-wide shedder, which learns the first byte from
 * the request), and the {@link RunnablePolicy} surface (a deployment's limit in the router's
 * pipeline, where a stream's operation resolves at its first event).
 *
 * @example
 * const limit = new FirstTokenLimit({ initialLimit: 100, minLimit: 10, maxLimit: 5000, isOverload, clock });
 * if (limit.tryAcquire(0.6)) { const at = limit.inFlight; ...; limit.release(elapsedMs, outputTokens, at); }
 */
export class FirstTokenLimit implements RunnablePolicy {
  readonly minLimit: number;
  readonly maxLimit: number;
  private estimated: number;
  private running = 0;
  /** Recent average of ln(latency ÷ predicted)… */
  private recentLog = 0;
  /** …its unloaded average and variance (learned like the model). */
  private baselineLog = 0;
  private varianceLog = 0;
  private readonly model = new LatencyModel();
  private lastCutAt = -Infinity;
  /** Share of recent calls that failed with an overload signal. */
  private overloadRate = 0;
  /** Recent peak of the concurrency in use (jumps up at once, decays slowly). */
  private peakInFlight = 0;
  private readonly isOverload: (error: unknown) => boolean;
  private readonly clock: Clock;

  constructor(options: FirstTokenLimitOptions) {
    this.minLimit = options.minLimit;
    this.maxLimit = Math.max(options.minLimit, options.maxLimit);
    this.estimated = Math.min(this.maxLimit, Math.max(this.minLimit, options.initialLimit));
    this.isOverload = options.isOverload;
    this.clock = options.clock;
  }

  /** The current limit (whole calls). */
  get limit(): number {
    return Math.floor(this.estimated);
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** The learned unloaded latency in ms of an answer with `outputTokens` (0: the first token); NaN before the first sample. */
  predictedMs(outputTokens = 0): number {
    return this.model.predict(outputTokens);
  }

  /** How long a refused caller should wait, in ms: the unloaded first token, at least 1 s. */
  get retryAfterMs(): number {
    const first = this.model.predict(0);
    return Number.isFinite(first) ? Math.max(1000, Math.round(first)) : 1000;
  }

  /** Takes a slot when in-flight is below `share` of the limit; false (nothing taken) otherwise. */
  tryAcquire(share: number): boolean {
    const admitted = share >= 1 ? this.limit : Math.max(1, Math.floor(this.limit * share));
    if (this.running >= admitted) return false;
    this.running++;
    return true;
  }

  /**
   * Gives the slot back. `elapsedMs`: from admission to the first token of a stream
   * (`outputTokens` 0) or to the whole answer (with its output tokens); NaN when the call failed
   * without saying anything about load. `inFlightAtStart`: {@link inFlight} right after its
   * `tryAcquire`. `overloaded`: the call failed with an overload signal.
   */
  release(elapsedMs: number, outputTokens: number, inFlightAtStart: number, overloaded = false): void {
    this.running--;
    // Overload failures count by their share of recent calls: a few random 503s or hung calls
    // among healthy answers are the dependency's noise, not a queue to back away from.
    this.overloadRate += ((overloaded ? 1 : 0) - this.overloadRate) * L.OVERLOAD_RATE_WEIGHT;
    if (overloaded) {
      if (this.overloadRate > L.OVERLOAD_RATE_THRESHOLD) this.cut();
    } else if (elapsedMs >= 0) this.sample(elapsedMs, outputTokens, inFlightAtStart);
  }

  /** The refusal for a call that found no slot. */
  refusal(): ConcurrencyLimitedError {
    return new ConcurrencyLimitedError(this.limit, this.retryAfterMs);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, { signal: signal ?? new AbortController().signal, attempt: 1 });
  }

  async run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    if (!this.tryAcquire(1)) throw this.refusal();
    const inFlightAtStart = this.running;
    const startedAt = this.clock.now();
    let value: T;
    try {
      value = await operation(context);
    } catch (error) {
      this.release(NaN, 0, inFlightAtStart, this.isOverload(error));
      throw error;
    }
    const elapsedMs = this.clock.now() - startedAt;
    const streamed = (value as Partial<OpenedStream> | undefined)?.ended instanceof Promise;
    this.release(elapsedMs, streamed ? 0 : ((value as Partial<ChatResponse> | undefined)?.usage?.outputTokens ?? 0), inFlightAtStart);
    return value;
  }

  /** One multiplicative cut per recent latency (a burst of timeouts is one signal, not fifty). */
  private cut(): void {
    const now = this.clock.now();
    const first = this.model.predict(0);
    const interval = Math.max(L.MIN_OVERLOAD_CUT_INTERVAL_MS, Number.isFinite(first) ? first * Math.exp(this.recentLog) : 0);
    if (now - this.lastCutAt < interval) return;
    this.lastCutAt = now;
    this.estimated = Math.max(this.minLimit, this.estimated * L.DEFAULT_OVERLOAD_BACKOFF_RATIO);
  }

  private sample(elapsedMs: number, outputTokens: number, inFlightAtStart: number): void {
    const limit = this.estimated;
    const saturated = inFlightAtStart * 2 >= limit;
    const predicted = this.model.predict(outputTokens);
    // In log space a hung call (20x) weighs like a few slow ones, not like a hundred.
    const logRatio = Number.isNaN(predicted) ? 0 : Math.log(Math.max(1, elapsedMs - L.LATENCY_SLACK_MS) / predicted);
    const learn = !saturated || logRatio < this.baselineLog;
    this.model.add(outputTokens, elapsedMs, learn ? L.MODEL_WEIGHT : L.MODEL_WEIGHT_SATURATED);
    if (learn) {
      const deviation = logRatio - this.baselineLog;
      this.baselineLog += deviation * L.MODEL_WEIGHT;
      this.varianceLog += (deviation * deviation - this.varianceLog) * L.MODEL_WEIGHT;
    }
    this.recentLog += (logRatio - this.recentLog) * L.RECENT_WEIGHT;
    // Traffic using less than half of the limit says nothing about the dependency; the limit only
    // drifts down toward twice the recent peak in use, so an overload that starts later meets a limit
    // near the real concurrency instead of queueing hundreds of requests in its first second.
    this.peakInFlight = inFlightAtStart >= this.peakInFlight ? inFlightAtStart : this.peakInFlight + (inFlightAtStart - this.peakInFlight) * L.PEAK_DECAY_WEIGHT;
    if (!saturated) {
      const ceiling = this.peakInFlight * L.IDLE_HEADROOM;
      if (ceiling < limit) this.estimated = Math.max(this.minLimit, limit + (ceiling - limit) * L.IDLE_DECAY_WEIGHT);
      return;
    }
    // Recent answers are slower than unloaded ones only when the gap beats the tolerance and the
    // noise of a ten-sample average of this dependency's own spread (heavy-tailed latency must
    // not read as a queue).
    const noise = L.NOISE_SIGMAS * Math.sqrt(this.varianceLog * L.RECENT_WEIGHT / (2 - L.RECENT_WEIGHT));
    const excess = this.recentLog - this.baselineLog - Math.max(Math.log(L.LATENCY_TOLERANCE), noise);
    const next = excess <= 0
      ? limit + L.LIMIT_GROWTH_PER_SAMPLE / Math.sqrt(limit)
      : limit - (limit - limit * Math.max(0.5, Math.exp(-excess))) * L.LIMIT_SMOOTHING;
    this.estimated = Math.min(this.maxLimit, Math.max(this.minLimit, next));
  }
}

/**
 * `latency ≈ a + b × outputTokens`, fitted online by exponentially weighted least squares (the
 * first samples weigh 1/n, so it starts from a plain average). `b` is never negative; with one
 * answer length only (streams: x = 0) it is 0 and `a` is the average.
 */
class LatencyModel {
  private n = 0;
  private mx = 0;
  private my = 0;
  private mxx = 0;
  private mxy = 0;

  add(x: number, y: number, weight: number): void {
    const w = Math.max(weight, 1 / ++this.n);
    this.mx += (x - this.mx) * w;
    this.my += (y - this.my) * w;
    this.mxx += (x * x - this.mxx) * w;
    this.mxy += (x * y - this.mxy) * w;
  }

  predict(x: number): number {
    if (this.n === 0) return NaN;
    const variance = this.mxx - this.mx * this.mx;
    const slope = variance > 1e-6 ? Math.max(0, (this.mxy - this.mx * this.my) / variance) : 0;
    const intercept = this.my - slope * this.mx;
    return Math.max(1, intercept + slope * x, this.my * L.MODEL_MIN_SHARE);
  }
}
