/**
 * The mock provider without sockets: one {@link Provider} per logical deployment that runs the
 * same fault plans (same draws, same order, same rate-limit windows) and produces the same wire
 * bytes as the HTTP mock, handed to the router as a transport would, with every delay on the
 * injected clock. With a FakeClock and a seeded random source a whole simulation (mock, router,
 * load) runs in one process, deterministically — what `bulwark drill --virtual` uses.
 *
 * It speaks every chat API the HTTP mock does — OpenAI Chat Completions, Anthropic Messages,
 * Gemini generateContent and Bedrock Converse (event-stream frames) — through the same wires and
 * the same path table (`routes.ts`), and its errors are classified as each API's provider would.
 *
 * What it does not model: TCP itself (a `reset` is a `connection` error at once; a `hang` waits
 * for the caller's signal), and the HTTP client's pool.
 */
import { type Clock, sleep, systemClock } from '../../core/clock.js';
import { defaultRandom, type RandomSource } from '../../core/random.js';
import { classifyHttpError } from '../../llm/classify.js';
import { classifyBedrockError } from '../../llm/dialects/bedrock/bedrock-errors.js';
import { classifyGeminiError } from '../../llm/dialects/gemini/gemini-errors.js';
import { LlmError } from '../../llm/errors.js';
import type { ApiFamily, UpstreamBody, UpstreamCall, UpstreamReply } from '../../llm/exchange.js';
import type { Provider, ProviderCallOptions } from '../../llm/provider.js';
import { StreamWatchdog } from '../../llm/providers/stream-watchdog.js';
import { aborted, IN_PROCESS_SOURCE as SOURCE, playStream } from './in-process-stream.js';
import { buildReply, CHARS_PER_TOKEN, tokensOf, type MockTurn } from './answer.js';
import { errorHeadersOf, errorStatusOf, garbleEvent, isRejection, type MockContext, type MockDialect, type MockErrorKind, type MockIds } from './dialect.js';
import { compileFaultPlan, drawLatencyMs, drawOutcome, drawStreamCut, type FaultPlan } from './fault-plan.js';
import { MockState } from './mock-state.js';
import { openaiWire } from './openai-wire.js';
import { mergeFaults, parseMockProfile, patchMockProfile, type MockProfile } from './profile.js';
import { postRoute, type MockRoute } from './routes.js';
import { MockStatsRecorder, type MockStats } from './stats.js';

const ERROR_KIND_BY_STATUS: Record<number, MockErrorKind> = { 429: 'rate_limit', 500: 'server', 503: 'unavailable', 529: 'overloaded' };

/** Where each API family's endpoints sit on the HTTP mock (what `{baseUrl}` of its provider adds). */
const API_ROOT: Readonly<Record<ApiFamily, string>> = { openai: '/v1/', anthropic: '/v1/', gemini: '/v1beta/', bedrock: '/' };

/** How each family's provider reads an error answer (the HTTP transports' `classifyHttp`). */
const CLASSIFY: Readonly<Record<ApiFamily, typeof classifyHttpError>> = {
  openai: classifyHttpError,
  anthropic: classifyHttpError,
  gemini: classifyGeminiError,
  bedrock: classifyBedrockError,
};

/** A call that passed the refusals, with its draws. */
type Begun = Exclude<ReturnType<InProcessMock['begin']>, { refusal: LlmError }>;

/** One call as the mock routed it: the API's wire, the stats endpoint, what the path said. */
interface Routed {
  readonly family: ApiFamily;
  readonly route: MockRoute;
  readonly context: MockContext;
}

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
  private readonly state = new MockState();

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

  /**
   * The provider of one logical deployment speaking `family`'s API (default OpenAI): the
   * deployment `/deployments/<name>` of the HTTP mock, reached as that API's provider would.
   */
  provider(deployment: string, family: ApiFamily = 'openai'): Provider {
    return {
      dialect: family,
      send: (call, options) => this.send(deployment, family, call, options ?? {}),
      open: (call, options) => this.open(deployment, family, call, options ?? {}),
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
  private begin(deployment: string, family: ApiFamily, call: UpstreamCall) {
    const stream = call.stream;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(call.body ?? []).toString('utf8'));
    } catch {
      body = undefined;
    }
    const ids: MockIds = { id: `mock_${++this.sequence}`, created: Math.floor(this.clock.now() / 1000) };
    const path = `${API_ROOT[family]}${call.endpoint.split('?')[0]}`;
    const route = postRoute(path);
    if (route === undefined) {
      const unknown: Routed = { family, route: { wire: openaiWire, endpoint: 'unknown' }, context: this.context(deployment) };
      return { refusal: this.error(unknown, '', 'not_found', `Unknown request URL: POST ${path}`, ids) } as const;
    }
    const routed: Routed = { family, route, context: this.context(deployment, route.route) };
    const turn = route.wire.parse(body, routed.context);
    if (typeof turn === 'string') return { refusal: this.error(routed, '', 'invalid_request', turn, ids) } as const;
    if (isRejection(turn)) return { refusal: this.error(routed, '', turn.kind, turn.message, ids) } as const;
    const plan = this.planFor(deployment, turn.model);
    const refusal = this.refusal(routed, turn, plan, ids);
    if (refusal) return { refusal } as const;
    const outcome = plan.quiet ? 'ok' : drawOutcome(plan, this.random);
    const latencyMs = plan.quiet ? 0 : drawLatencyMs(plan, this.random);
    const cutAfter = stream && outcome === 'ok' && !plan.quiet ? drawStreamCut(plan, this.random) : -1;
    if (latencyMs > 0) this.recorder.fault('latency');
    return { routed, turn, ids, plan, outcome, latencyMs, cutAfter } as const;
  }

  private context(deployment: string, route?: MockContext['route']): MockContext {
    return route === undefined ? { deployment, state: this.state, models: [] } : { deployment, state: this.state, models: [], route };
  }

  private record(routed: Routed, model: string, outcome: string): void {
    this.recorder.record(routed.route.endpoint, model, routed.context.deployment, outcome);
  }

  private refusal(routed: Routed, turn: MockTurn, plan: FaultPlan, ids: MockIds): LlmError | undefined {
    const deployment = routed.context.deployment;
    if (plan.quiet) return undefined;
    if (plan.authFailure) {
      this.recorder.fault('auth');
      return this.error(routed, turn.model, 'auth', 'Incorrect API key provided (rejected by the Bulwark mock).', ids);
    }
    const promptTokens = tokensOf(turn.promptChars);
    if (promptTokens > plan.maxPromptTokens || turn.promptChars > plan.maxPromptChars) {
      this.recorder.fault('contextLength');
      const limit = Math.min(plan.maxPromptTokens, Math.floor(plan.maxPromptChars / CHARS_PER_TOKEN));
      return this.error(routed, turn.model, 'context_length', routed.route.wire.contextLengthMessage(promptTokens, limit), ids);
    }
    if (plan.rateLimitPerSecond !== Infinity) {
      const key = `${deployment}\u0000${turn.model}`;
      const now = this.clock.now();
      let window = this.rateWindows.get(key);
      if (!window || now - window.startMs >= 1000) this.rateWindows.set(key, (window = { startMs: now, count: 0 }));
      if (++window.count > plan.rateLimitPerSecond) {
        this.recorder.fault('rateLimit');
        return this.error(routed, turn.model, 'rate_limit', 'Rate limit reached for requests.', ids, Math.max(1, window.startMs + 1000 - now));
      }
    }
    return undefined;
  }

  /** The error the API's HTTP provider would have classified from the mock's error answer. */
  private error(routed: Routed, model: string, kind: MockErrorKind, message: string, ids: MockIds, retryAfterMs?: number): LlmError {
    const wire: MockDialect = routed.route.wire;
    const status = errorStatusOf(wire, kind);
    this.record(routed, model, String(status));
    const body = wire.errorBody(kind, message, `req_${ids.id}`, undefined, retryAfterMs);
    return CLASSIFY[routed.family](status, errorHeadersOf(wire, kind, `req_${ids.id}`, retryAfterMs), body, { now: this.clock.now(), source: SOURCE });
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

  /** What happens before an answer: the drawn latency, then an error, a hang or a reset (each thrown). */
  private async prelude(call: Begun, signal: AbortSignal | undefined): Promise<void> {
    const { routed, turn, ids, outcome } = call;
    if (call.latencyMs > 0) await sleep(this.clock, call.latencyMs, signal);
    if (typeof outcome === 'number') {
      this.recorder.fault(String(outcome));
      throw this.error(routed, turn.model, ERROR_KIND_BY_STATUS[outcome], `Injected ${outcome} (in-process mock).`, ids, outcome === 429 ? call.plan.retryAfterMs : undefined);
    }
    if (outcome === 'hang') {
      this.recorder.fault('hang');
      this.record(routed, turn.model, 'hang');
      await this.hang(signal);
    }
    if (outcome === 'reset') {
      this.recorder.fault('reset');
      this.record(routed, turn.model, 'reset');
      throw new LlmError('connection', `${SOURCE}: connection reset by peer`);
    }
    this.record(routed, turn.model, '200');
  }

  private async send(deployment: string, family: ApiFamily, upstream: UpstreamCall, options: ProviderCallOptions): Promise<UpstreamReply> {
    const { signal } = options;
    if (signal?.aborted) throw aborted(signal.reason);
    const call = this.begin(deployment, family, upstream);
    if ('refusal' in call) throw call.refusal;
    try {
      await this.prelude(call, signal);
    } catch (error) {
      throw signal?.aborted ? aborted(signal.reason) : error;
    }
    const { turn, ids, routed } = call;
    const { wire } = routed.route;
    let body = wire.responseBody(turn, buildReply(turn, deployment, wire.toolCallId(ids)), ids, routed.context);
    if (call.outcome === 'malformed') {
      this.recorder.fault('malformed');
      body = body.slice(0, body.length >> 1);
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }

  private async open(deployment: string, family: ApiFamily, upstream: UpstreamCall, options: ProviderCallOptions): Promise<UpstreamBody> {
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
      const call = this.begin(deployment, family, upstream);
      if ('refusal' in call) throw call.refusal;
      await this.prelude(call, signal);
      const { turn, ids, plan, routed } = call;
      const { wire } = routed.route;
      const events = wire.streamEvents(turn, buildReply(turn, deployment, wire.toolCallId(ids)), ids, routed.context);
      if (call.outcome === 'malformed') {
        this.recorder.fault('malformed');
        events[0] = wire.garble?.(events[0]) ?? garbleEvent(events[0]);
      }
      const encoding = wire.streamEncoding ?? 'utf8';
      const cut = call.cutAfter >= 0 && call.cutAfter < events.length;
      if (cut) this.recorder.fault('streamCut');
      const end = cut ? call.cutAfter : events.length;
      return playStream({ events, encoding, end, cut, tokenDelayMs: plan.tokenDelayMs, contentType: wire.streamContentType ?? 'text/event-stream' }, { clock: this.clock, signal, watchdog, release });
    } catch (error) {
      release();
      throw signal.aborted ? aborted(signal.reason) : error;
    }
  }
}
