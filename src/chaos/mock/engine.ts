/**
 * The request handling of the mock provider: routes an API request to its dialect, applies the
 * target's fault plan and writes the answer. Knows nothing about listening or the control API
 * (see `server.ts`); time and randomness are injected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import { buildReply, CHARS_PER_TOKEN, tokensOf, type MockReply, type MockTurn } from './answer.js';
import { anthropicWire } from './anthropic-wire.js';
import { errorHeadersOf, errorStatusOf, garbleEvent, isRejection, type MockContext, type MockDialect, type MockErrorKind, type MockIds, type MockRejection } from './dialect.js';
import { compileFaultPlan, drawLatencyMs, drawOutcome, drawStreamCut, type FaultOutcome, type FaultPlan } from './fault-plan.js';
import { anthropicModelWire, openaiModelWire } from './lookup-wires.js';
import { MockState } from './mock-state.js';
import { openaiDeleteResponseWire, openaiStoredResponseWire } from './openai-responses-wire.js';
import { openaiWire } from './openai-wire.js';
import { mergeFaults, type MockProfile } from './profile.js';
import { postRoute } from './routes.js';
import { MockStatsRecorder } from './stats.js';

/** Path prefix that names a logical deployment: `/deployments/<name>/v1/...`. */
export const DEPLOYMENT_PREFIX = '/deployments/';
/** Compiled plans kept per (deployment, model) before the cache is cleared. */
export const PLAN_CACHE_LIMIT = 1000;
/** Largest chat request body the mock reads (bytes); a bigger one gets 400 in the API's error shape and the connection is closed. */
export const MOCK_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

const ERROR_KIND_BY_STATUS: Record<number, MockErrorKind> = { 429: 'rate_limit', 500: 'server', 503: 'unavailable', 529: 'overloaded' };
const ERROR_MESSAGES: Record<number, string> = {
  429: 'Rate limit reached for requests (injected by the Bulwark mock).',
  500: 'The server had an error while processing your request (injected by the Bulwark mock).',
  503: 'The service is temporarily unavailable (injected by the Bulwark mock).',
  529: 'Overloaded (injected by the Bulwark mock).',
};
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

const MODELS_PREFIX = '/v1/models/';
const RESPONSES_PREFIX = '/v1/responses/';

/** One parsed API request and everything decided about it. */
interface MockCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly dialect: MockDialect;
  readonly endpoint: string;
  readonly deployment: string | undefined;
  readonly context: MockContext;
  readonly turn: MockTurn;
  readonly reply: MockReply;
  readonly ids: MockIds;
  readonly plan: FaultPlan;
}

/** One request in flight that waits on the clock (latency, pacing) or hangs. */
interface Pending {
  res: ServerResponse;
  timer: TimerHandle | undefined;
  done: boolean;
}

/** A target's fixed one-second rate-limit window. */
interface RateWindow {
  startMs: number;
  count: number;
}

export interface MockEngineOptions {
  profile: MockProfile;
  random: RandomSource;
  clock: Clock;
  /** Model ids listed by `GET /v1/models`. */
  models: readonly string[];
}

/** Handles API requests (everything but `/_mock/*`). */
export class MockEngine {
  readonly stats = new MockStatsRecorder();
  /** Stored responses and prompt-cache prefixes; cleared by the mock's `reset()`. */
  readonly state = new MockState();
  random: RandomSource;
  private readonly clock: Clock;
  private readonly models: readonly string[];
  private currentProfile: MockProfile;
  private plans = new Map<string, FaultPlan>();
  private rateWindows = new Map<string, RateWindow>();
  private sequence = 0;

  constructor(options: MockEngineOptions) {
    this.random = options.random;
    this.clock = options.clock;
    this.models = options.models;
    this.currentProfile = options.profile;
  }

  get profile(): MockProfile {
    return this.currentProfile;
  }

  /** Replaces the profile; requests already waiting keep the plan they drew. */
  set profile(profile: MockProfile) {
    this.currentProfile = profile;
    this.plans.clear();
    this.rateWindows.clear();
  }

  /** The compiled plan of a (deployment, model) pair: default ← models[model] ← deployments[deployment]. */
  planFor(deployment: string | undefined, model: string): FaultPlan {
    const key = deployment === undefined ? model : `${deployment}\u0000${model}`;
    let plan = this.plans.get(key);
    if (plan) return plan;
    const p = this.currentProfile;
    const faults = mergeFaults(mergeFaults(p.default, p.models[model]), deployment === undefined ? undefined : p.deployments[deployment]);
    plan = compileFaultPlan(faults);
    if (this.plans.size >= PLAN_CACHE_LIMIT) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }

  /** Entry point for one API request; `path` has the deployment prefix and query removed. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, deployment: string | undefined): void {
    const method = req.method;
    if (method === 'POST') {
      const post = postRoute(path);
      if (post) return this.readThen(req, res, post.wire, deployment, post.endpoint, post.route);
    }
    const dialect = req.headers['anthropic-version'] !== undefined ? anthropicWire : openaiWire;
    if (method === 'GET' && path === '/v1/models') {
      const body = dialect.modelsBody(this.models, Math.floor(this.clock.now() / 1000));
      this.stats.record('models', '', deployment, '200');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const modelId = idAfter(path, MODELS_PREFIX, true);
    if (modelId !== undefined && method === 'GET') {
      return this.respond(req, res, dialect === anthropicWire ? anthropicModelWire : openaiModelWire, deployment, 'models.retrieve', { id: modelId });
    }
    const id = idAfter(path, RESPONSES_PREFIX, false);
    if (id !== undefined && (method === 'GET' || method === 'DELETE')) {
      req.resume();
      const wire = method === 'GET' ? openaiStoredResponseWire : openaiDeleteResponseWire;
      return this.respond(req, res, wire, deployment, method === 'GET' ? 'responses.retrieve' : 'responses.delete', { id });
    }
    req.resume();
    this.stats.record('unknown', '', deployment, '404');
    this.sendError(res, dialect, 'not_found', `Unknown request URL: ${method} ${path}`, this.nextIds().id);
  }

  private readThen(
    req: IncomingMessage, res: ServerResponse, dialect: MockDialect, deployment: string | undefined, endpoint: string, route?: MockContext['route'],
  ): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (res.headersSent) return;
      size += chunk.length;
      if (size <= MOCK_MAX_REQUEST_BYTES) return void chunks.push(chunk);
      chunks.length = 0;
      this.stats.record(endpoint, '', deployment, '400');
      res.setHeader('connection', 'close');
      this.sendError(res, dialect, 'invalid_request', `The request body is larger than ${MOCK_MAX_REQUEST_BYTES} bytes.`, this.nextIds().id);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        this.stats.record(endpoint, '', deployment, '400');
        return this.sendError(res, dialect, 'invalid_request', 'We could not parse the JSON body of your request.', this.nextIds().id);
      }
      this.respond(req, res, dialect, deployment, endpoint, body, route);
    });
  }

  private nextIds(): MockIds {
    return { id: `mock_${++this.sequence}`, created: Math.floor(this.clock.now() / 1000) };
  }

  /** Answers a parsed body (for GET and DELETE: `{ id }` from the path), faults included. */
  private respond(
    req: IncomingMessage, res: ServerResponse, dialect: MockDialect, deployment: string | undefined, endpoint: string, body: unknown,
    route?: MockContext['route'],
  ): void {
    const ids = this.nextIds();
    const context: MockContext = route === undefined
      ? { deployment, state: this.state, models: this.models }
      : { deployment, state: this.state, models: this.models, route };
    const turn = dialect.parse(body, context);
    if (typeof turn === 'string' || isRejection(turn)) {
      const rejection: MockRejection = typeof turn === 'string' ? { kind: 'invalid_request', message: turn } : turn;
      this.stats.record(endpoint, '', deployment, String(errorStatusOf(dialect, rejection.kind)));
      return this.sendError(res, dialect, rejection.kind, rejection.message, ids.id, undefined, rejection);
    }
    const plan = this.planFor(deployment, turn.model);
    const reply = buildReply(turn, deployment, dialect.toolCallId(ids));
    const call: MockCall = { req, res, dialect, endpoint, deployment, context, turn, reply, ids, plan };
    if (plan.quiet) {
      this.stats.record(endpoint, turn.model, deployment, '200');
      return turn.stream ? this.stream(call, -1, false) : this.sendOk(call, false);
    }
    if (this.refused(call)) return;
    const outcome = drawOutcome(plan, this.random);
    const latencyMs = drawLatencyMs(plan, this.random);
    const cutAfter = turn.stream && outcome === 'ok' ? drawStreamCut(plan, this.random) : -1;
    if (latencyMs <= 0) return this.finish(call, outcome, cutAfter);
    this.stats.fault('latency');
    const pending = this.track(res);
    pending.timer = this.clock.setTimeout(() => {
      pending.timer = undefined;
      if (pending.done) return;
      this.untrack(pending);
      this.finish(call, outcome, cutAfter);
    }, latencyMs);
  }

  /** Refusals decided before any draw: bad key, prompt too long, rate limit. True when one was sent. */
  private refused(call: MockCall): boolean {
    const { plan, turn, dialect } = call;
    if (plan.authFailure) {
      this.stats.fault('auth');
      this.sendCallError(call, 'auth', 'Incorrect API key provided (rejected by the Bulwark mock).');
      return true;
    }
    const promptTokens = tokensOf(turn.promptChars);
    if (promptTokens > plan.maxPromptTokens || turn.promptChars > plan.maxPromptChars) {
      this.stats.fault('contextLength');
      const limit = Math.min(plan.maxPromptTokens, Math.floor(plan.maxPromptChars / CHARS_PER_TOKEN));
      this.sendCallError(call, 'context_length', dialect.contextLengthMessage(promptTokens, limit));
      return true;
    }
    if (plan.rateLimitPerSecond !== Infinity) {
      const key = call.deployment === undefined ? turn.model : `${call.deployment}\u0000${turn.model}`;
      const now = this.clock.now();
      let window = this.rateWindows.get(key);
      if (!window || now - window.startMs >= 1000) this.rateWindows.set(key, (window = { startMs: now, count: 0 }));
      if (++window.count > plan.rateLimitPerSecond) {
        this.stats.fault('rateLimit');
        this.sendCallError(call, 'rate_limit', ERROR_MESSAGES[429], Math.max(1, window.startMs + 1000 - now));
        return true;
      }
    }
    return false;
  }

  private finish(call: MockCall, outcome: FaultOutcome, cutAfter: number): void {
    const { stats } = this;
    if (typeof outcome === 'number') {
      stats.fault(String(outcome));
      return this.sendCallError(call, ERROR_KIND_BY_STATUS[outcome], ERROR_MESSAGES[outcome], outcome === 429 ? call.plan.retryAfterMs : undefined);
    }
    if (outcome === 'hang') {
      stats.fault('hang');
      stats.record(call.endpoint, call.turn.model, call.deployment, 'hang');
      this.track(call.res); // released when the client goes away
      return;
    }
    if (outcome === 'reset') {
      stats.fault('reset');
      stats.record(call.endpoint, call.turn.model, call.deployment, 'reset');
      call.req.socket.destroy();
      return;
    }
    stats.record(call.endpoint, call.turn.model, call.deployment, '200');
    const malformed = outcome === 'malformed';
    if (malformed) stats.fault('malformed');
    if (call.turn.stream) return this.stream(call, cutAfter, malformed);
    this.sendOk(call, malformed);
  }

  private sendOk(call: MockCall, malformed: boolean): void {
    const { res, dialect, ids } = call;
    let body = dialect.responseBody(call.turn, call.reply, ids, call.context);
    if (malformed) body = body.slice(0, body.length >> 1);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [dialect.requestIdHeader]: `req_${ids.id}` });
    res.end(body);
  }

  /** Records and sends an error for a parsed request. */
  private sendCallError(call: MockCall, kind: MockErrorKind, message: string, retryAfterMs?: number): void {
    this.stats.record(call.endpoint, call.turn.model, call.deployment, String(errorStatusOf(call.dialect, kind)));
    this.sendError(call.res, call.dialect, kind, message, call.ids.id, retryAfterMs);
  }

  private sendError(
    res: ServerResponse, dialect: MockDialect, kind: MockErrorKind, message: string, id: string, retryAfterMs?: number, detail?: MockRejection,
  ): void {
    const body = dialect.errorBody(kind, message, `req_${id}`, detail, retryAfterMs);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...errorHeadersOf(dialect, kind, `req_${id}`, retryAfterMs) };
    res.writeHead(errorStatusOf(dialect, kind), headers);
    res.end(body);
  }

  /** Streams the events; paced by `tokenDelayMs`, destroyed after `cutAfter` events when ≥ 0. */
  private stream(call: MockCall, cutAfter: number, malformed: boolean): void {
    const { res, dialect, ids, plan } = call;
    const events = dialect.streamEvents(call.turn, call.reply, ids, call.context);
    if (malformed) events[0] = dialect.garble?.(events[0]) ?? garbleEvent(events[0]);
    const encoding = dialect.streamEncoding ?? 'utf8';
    const headers = dialect.streamContentType === undefined ? SSE_HEADERS : { 'content-type': dialect.streamContentType };
    res.writeHead(200, { ...headers, [dialect.requestIdHeader]: `req_${ids.id}` });
    const end = cutAfter >= 0 ? Math.min(cutAfter, events.length) : events.length;
    const cut = cutAfter >= 0 && cutAfter < events.length;
    const destroy = () => res.socket?.destroy();
    if (cut) this.stats.fault('streamCut');
    if (cut && end === 0) {
      res.flushHeaders();
      setImmediate(destroy);
      return;
    }
    if (plan.tokenDelayMs <= 0) {
      if (cut) res.write(events.slice(0, end).join(''), encoding, destroy);
      else res.end(events.join(''), encoding);
      return;
    }
    const pending = this.track(res);
    let index = 0;
    const step = () => {
      pending.timer = undefined;
      if (pending.done) return;
      const event = events[index++];
      if (index < end) {
        res.write(event, encoding);
        pending.timer = this.clock.setTimeout(step, plan.tokenDelayMs);
        return;
      }
      this.untrack(pending);
      if (cut) res.write(event, encoding, destroy);
      else res.end(event, encoding);
    };
    step();
  }

  /** Counts a request as in flight until it finishes or the client goes away (timers cancelled). */
  private track(res: ServerResponse): Pending {
    const pending: Pending = { res, timer: undefined, done: false };
    this.stats.inFlight++;
    res.once('close', () => {
      if (pending.done) return;
      pending.done = true;
      this.stats.inFlight--;
      if (pending.timer !== undefined) this.clock.clearTimeout(pending.timer);
    });
    return pending;
  }

  private untrack(pending: Pending): void {
    if (pending.done) return;
    pending.done = true;
    this.stats.inFlight--;
  }
}

/** The percent-decoded id after `prefix` (one path segment unless `slashes`: model ids may have them), or undefined. */
function idAfter(path: string, prefix: string, slashes: boolean): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (rest === '' || (!slashes && rest.includes('/'))) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}
