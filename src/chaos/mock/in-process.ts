/**
 * The mock provider without sockets: one {@link Provider} per logical deployment that runs the
 * same fault plans (same draws, same order, same rate-limit windows) and produces the same wire
 * bytes as the HTTP mock, handed to the router as a transport would, with every delay on the
 * injected clock. With a FakeClock and a seeded random source a whole simulation (mock, router,
 * load) runs in one process, deterministically — what `bulwark drill --virtual` uses.
 *
 * What it does not model: TCP itself (a `reset` is a `connection` error at once; a `hang` waits
 * for the caller's signal), and the HTTP client's pool.
 */
import { type Clock, sleep, systemClock } from '../../core/clock.js';
import { defaultRandom, type RandomSource } from '../../core/random.js';
import { classifyHttpError } from '../../llm/classify.js';
import { LlmError } from '../../llm/errors.js';
import type { UpstreamBody, UpstreamCall, UpstreamReply } from '../../llm/exchange.js';
import type { Provider, ProviderCallOptions } from '../../llm/provider.js';
import { StreamWatchdog } from '../../llm/providers/stream-watchdog.js';
import { buildReply, CHARS_PER_TOKEN, tokensOf, type MockTurn } from './answer.js';
import { garbleEvent, isRejection, MOCK_ERROR_STATUS, type MockErrorKind, type MockIds } from './dialect.js';
import { compileFaultPlan, drawLatencyMs, drawOutcome, drawStreamCut, type FaultPlan } from './fault-plan.js';
import { openaiWire } from './openai-wire.js';
import { mergeFaults, parseMockProfile, patchMockProfile, type MockProfile } from './profile.js';
import { MockStatsRecorder, type MockStats } from './stats.js';

const SOURCE = 'Mock (in-process)';
const ERROR_KIND_BY_STATUS: Record<number, MockErrorKind> = { 429: 'rate_limit', 500: 'server', 503: 'unavailable', 529: 'overloaded' };

export interface InProcessMockOptions {
  /** A preset name, `{ preset }`, or a profile object (validated like `PUT /_mock/profile`). Default `healthy`. */
  profile?: unknown;
  /** Drives latency, pacing and rate-limit windows. Default the system clock. */
  clock?: Clock;
  /** Fault, latency and stream-cut draws. Default `Math.random`. */
  random?: RandomSource;
}

/**
 * A socket-free mock provider. `provider(name)` is the deployment `/deployments/<name>/v1` of
 * the HTTP mock, speaking the OpenAI dialect.
 *
 * @example
 * const mock = new InProcessMock({ clock, random: seededRandom(1) });
 * const router = createRouter(config, { clock, providers: (name) => mock.provider(name) });
 * mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
 */
export class InProcessMock {
  private readonly recorder = new MockStatsRecorder();
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private current: MockProfile;
  private plans = new Map<string, FaultPlan>();
  private rateWindows = new Map<string, { startMs: number; count: number }>();
  private sequence = 0;

  constructor(options: InProcessMockOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? defaultRandom;
    this.current = parseMockProfile(options.profile ?? 'healthy');
  }

  /** The current (validated) profile. */
  get profile(): MockProfile {
    return this.current;
  }

  /** Replaces the profile (throws `MockProfileError`); calls already waiting keep what they drew. */
  setProfile(input: unknown): void {
    this.install(parseMockProfile(input));
  }

  /** Merges a patch over the profile, like `PATCH /_mock/profile` (`null` removes an override). */
  patchProfile(input: unknown): void {
    this.install(patchMockProfile(this.current, input));
  }

  /** A copy of the counters (same shape as the HTTP mock's `stats()`). */
  stats(): MockStats {
    return this.recorder.snapshot();
  }

  /** The provider of one logical deployment. */
  provider(deployment: string): Provider {
    return {
      dialect: 'openai',
      send: (call, options) => this.send(deployment, call, options ?? {}),
      open: (call, options) => this.open(deployment, call, options ?? {}),
      close: async () => undefined,
    };
  }

  private install(profile: MockProfile): void {
    this.current = profile;
    this.plans.clear();
    this.rateWindows.clear();
  }

  private planFor(deployment: string, model: string): FaultPlan {
    const key = `${deployment}\u0000${model}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const p = this.current;
      plan = compileFaultPlan(mergeFaults(mergeFaults(p.default, p.models[model]), p.deployments[deployment]));
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Parses the request as the HTTP mock would receive it; decides refusals and draws. */
  private begin(deployment: string, call: UpstreamCall) {
    const stream = call.stream;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(call.body ?? []).toString('utf8'));
    } catch {
      body = undefined;
    }
    const turn = openaiWire.parse(body);
    const ids: MockIds = { id: `mock_${++this.sequence}`, created: Math.floor(this.clock.now() / 1000) };
    if (typeof turn === 'string') return { refusal: this.error(deployment, '', 'invalid_request', turn, ids) } as const;
    if (isRejection(turn)) return { refusal: this.error(deployment, '', turn.kind, turn.message, ids) } as const;
    const plan = this.planFor(deployment, turn.model);
    const refusal = this.refusal(deployment, turn, plan, ids);
    if (refusal) return { refusal } as const;
    const outcome = plan.quiet ? 'ok' : drawOutcome(plan, this.random);
    const latencyMs = plan.quiet ? 0 : drawLatencyMs(plan, this.random);
    const cutAfter = stream && outcome === 'ok' && !plan.quiet ? drawStreamCut(plan, this.random) : -1;
    if (latencyMs > 0) this.recorder.fault('latency');
    return { turn, ids, plan, outcome, latencyMs, cutAfter } as const;
  }

  private refusal(deployment: string, turn: MockTurn, plan: FaultPlan, ids: MockIds): LlmError | undefined {
    if (plan.quiet) return undefined;
    if (plan.authFailure) {
      this.recorder.fault('auth');
      return this.error(deployment, turn.model, 'auth', 'Incorrect API key provided (rejected by the Bulwark mock).', ids);
    }
    const promptTokens = tokensOf(turn.promptChars);
    if (promptTokens > plan.maxPromptTokens || turn.promptChars > plan.maxPromptChars) {
      this.recorder.fault('contextLength');
      const limit = Math.min(plan.maxPromptTokens, Math.floor(plan.maxPromptChars / CHARS_PER_TOKEN));
      return this.error(deployment, turn.model, 'context_length', openaiWire.contextLengthMessage(promptTokens, limit), ids);
    }
    if (plan.rateLimitPerSecond !== Infinity) {
      const key = `${deployment}\u0000${turn.model}`;
      const now = this.clock.now();
      let window = this.rateWindows.get(key);
      if (!window || now - window.startMs >= 1000) this.rateWindows.set(key, (window = { startMs: now, count: 0 }));
      if (++window.count > plan.rateLimitPerSecond) {
        this.recorder.fault('rateLimit');
        return this.error(deployment, turn.model, 'rate_limit', 'Rate limit reached for requests.', ids, Math.max(1, window.startMs + 1000 - now));
      }
    }
    return undefined;
  }

  /** The error the HTTP provider would have classified from the mock's error answer. */
  private error(deployment: string, model: string, kind: MockErrorKind, message: string, ids: MockIds, retryAfterMs?: number): LlmError {
    const status = MOCK_ERROR_STATUS[kind];
    this.recorder.record('chat.completions', model, deployment, String(status));
    const headers: Record<string, string> = {};
    if (retryAfterMs !== undefined) {
      headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
      headers['retry-after-ms'] = String(Math.round(retryAfterMs));
    }
    return classifyHttpError(status, headers, openaiWire.errorBody(kind, message, `req_${ids.id}`), { now: this.clock.now(), source: SOURCE });
  }

  /** Waits until `signal` aborts (a hang), counted in flight meanwhile. */
  private async hang(signal: AbortSignal | undefined): Promise<never> {
    this.recorder.inFlight++;
    try {
      await new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      throw new Error('unreachable');
    } finally {
      this.recorder.inFlight--;
    }
  }

  private async send(deployment: string, upstream: UpstreamCall, options: ProviderCallOptions): Promise<UpstreamReply> {
    const { signal } = options;
    if (signal?.aborted) throw aborted(signal.reason);
    const call = this.begin(deployment, upstream);
    if ('refusal' in call) throw call.refusal;
    const { turn, ids, outcome } = call;
    try {
      if (call.latencyMs > 0) await sleep(this.clock, call.latencyMs, signal);
      if (typeof outcome === 'number') {
        this.recorder.fault(String(outcome));
        throw this.error(deployment, turn.model, ERROR_KIND_BY_STATUS[outcome], `Injected ${outcome} (in-process mock).`, ids, outcome === 429 ? call.plan.retryAfterMs : undefined);
      }
      if (outcome === 'hang') {
        this.recorder.fault('hang');
        this.recorder.record('chat.completions', turn.model, deployment, 'hang');
        await this.hang(signal);
      }
    } catch (error) {
      throw signal?.aborted ? aborted(signal.reason) : error;
    }
    if (outcome === 'reset') {
      this.recorder.fault('reset');
      this.recorder.record('chat.completions', turn.model, deployment, 'reset');
      throw new LlmError('connection', `${SOURCE}: connection reset by peer`);
    }
    this.recorder.record('chat.completions', turn.model, deployment, '200');
    let body = openaiWire.responseBody(turn, buildReply(turn, deployment, openaiWire.toolCallId(ids)), ids);
    if (outcome === 'malformed') {
      this.recorder.fault('malformed');
      body = body.slice(0, body.length >> 1);
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }

  private async open(deployment: string, upstream: UpstreamCall, options: ProviderCallOptions): Promise<UpstreamBody> {
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw aborted(callerSignal.reason);
    // One signal for the caller and the watchdog, as in the HTTP provider.
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(aborted(callerSignal?.reason));
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const watchdog = new StreamWatchdog(this.clock, (error) => controller.abort(error), options.firstTokenTimeoutMs, options.idleTimeoutMs);
    const signal = controller.signal;
    const release = () => {
      watchdog.stop();
      callerSignal?.removeEventListener('abort', onCallerAbort);
    };
    try {
      watchdog.start();
      const call = this.begin(deployment, upstream);
      if ('refusal' in call) throw call.refusal;
      const { turn, ids, outcome, plan } = call;
      if (call.latencyMs > 0) await sleep(this.clock, call.latencyMs, signal);
      if (typeof outcome === 'number') {
        this.recorder.fault(String(outcome));
        throw this.error(deployment, turn.model, ERROR_KIND_BY_STATUS[outcome], `Injected ${outcome} (in-process mock).`, ids, outcome === 429 ? plan.retryAfterMs : undefined);
      }
      if (outcome === 'hang') {
        this.recorder.fault('hang');
        this.recorder.record('chat.completions', turn.model, deployment, 'hang');
        await this.hang(signal);
      }
      if (outcome === 'reset') {
        this.recorder.fault('reset');
        this.recorder.record('chat.completions', turn.model, deployment, 'reset');
        throw new LlmError('connection', `${SOURCE}: connection reset by peer`);
      }
      this.recorder.record('chat.completions', turn.model, deployment, '200');
      const events = openaiWire.streamEvents(turn, buildReply(turn, deployment, openaiWire.toolCallId(ids)), ids);
      if (outcome === 'malformed') {
        this.recorder.fault('malformed');
        events[0] = garbleEvent(events[0]);
      }
      const cut = call.cutAfter >= 0 && call.cutAfter < events.length;
      if (cut) this.recorder.fault('streamCut');
      const end = cut ? call.cutAfter : events.length;
      const clock = this.clock;
      let index = 0;
      let closed = false;
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        async next(): Promise<IteratorResult<Buffer>> {
          if (closed) return { done: true, value: undefined };
          watchdog.resume();
          try {
            if (index > 0 && index < end && plan.tokenDelayMs > 0) await sleep(clock, plan.tokenDelayMs, signal);
            if (signal.aborted) throw signal.reason;
            watchdog.pause();
            if (index < end) return { done: false, value: Buffer.from(events[index++]) };
            if (cut) throw new LlmError('connection', `${SOURCE}: stream cut by a fault`);
            return { done: true, value: undefined };
          } catch (error) {
            release();
            throw signal.aborted ? aborted(signal.reason) : error;
          }
        },
        close() {
          closed = true;
          release();
        },
      };
    } catch (error) {
      release();
      throw signal.aborted ? aborted(signal.reason) : error;
    }
  }
}

/** As the HTTP provider: an LlmError reason is kept; a timeout reason is `timeout`; else `cancelled`. */
function aborted(reason: unknown): LlmError {
  if (reason instanceof LlmError) return reason;
  const r = reason as { name?: unknown; code?: unknown } | null | undefined;
  if (r?.name === 'TimeoutError' || r?.code === 'BULWARK_ERR_TIMEOUT') {
    return new LlmError('timeout', `${SOURCE} request aborted by a timeout`, { cause: reason });
  }
  return new LlmError('cancelled', `${SOURCE} request cancelled by the caller`, { cause: reason });
}
