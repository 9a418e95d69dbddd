import { LlmError } from '../../errors.js';
import type { Exchange } from '../../exchange.js';
import type { ExchangeStream, ServedInfo } from '../../types.js';
import { ChainPlan } from '../chain-plan.js';
import { callFor, lastResort, walkChain } from '../chain-walk.js';
import { noteAttempts, RequestRun } from '../request-run.js';
import type { ResolvedRoute } from '../resolved-route.js';
import type { RouterCore } from '../router-core.js';
import { openStreamStep } from './open-step.js';
import { RoutedStream } from './routed-stream.js';
import { StoredStream } from './stored-stream.js';
import { RequestTrace } from '../../tracing/request-trace.js';

/** The per-call options of a routed stream, defaults applied. */
export interface StreamCallOptions {
  tenant: string;
  requestId: string;
  signal: AbortSignal | undefined;
}

/**
 * Streams an exchange: resolves once the first token is available. Every failure before that —
 * on any deployment, any step — fails over silently (the caller sees nothing of it). A fresh
 * cache hit (routes with `cache: true`) and the last resorts (stale answer, default answer) are
 * replayed as streams; if nothing at all can answer, the promise rejects with
 * AllFallbacksFailedError before any byte was sent, so the caller can still answer with a status.
 */
export async function openRoutedStream<A, U>(core: RouterCore, route: ResolvedRoute, exchange: Exchange<A, U>, options: StreamCallOptions): Promise<ExchangeStream<U>> {
  const started = core.clock.now();
  const { tenant } = options;
  const trace = RequestTrace.start(route.name, exchange, tenant, true);
  const stored = (answer: A, served: ServedInfo, cacheHit: boolean): ExchangeStream<U> => {
    const ttftMs = core.clock.now() - started;
    return new StoredStream(exchange.replay(answer), served, (complete) => {
      if (complete) core.reportRequest(route, tenant, started, { served, group: undefined, cacheHit, usage: exchange.usageOf(answer) }, undefined, true, ttftMs, trace, options.requestId);
      else core.reportRequest(route, tenant, started, undefined, new LlmError('cancelled', 'The caller stopped reading the stream'), true, ttftMs, trace, options.requestId);
    });
  };
  try {
    const key = route.usesCache ? exchange.cacheKey(route.name, tenant) : undefined;
    if (route.cache && key !== undefined) {
      const hit = await core.cache.get(key, route.cacheTtlMs);
      const answer = hit?.fresh ? exchange.restore(hit.response) : undefined;
      if (answer !== undefined) return stored(answer, { servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false }, true);
    }
    const run = new RequestRun(route, exchange, tenant, options.requestId, options.signal, key, core.runDeadlines);
    run.trace = trace;
    let handedOver = false;
    try {
      const plan = new ChainPlan(route);
      const decoderOptions = { trackText: route.streamFailover === 'continue', keepAnswer: route.usesCache };
      const walked = await walkChain(run, plan, (group, exclude) =>
        openStreamStep(core, run, group, exclude, (d) => ({ call: callFor(run, d), decoder: exchange.decoder(d.target, decoderOptions) })));
      if (walked !== undefined) {
        handedOver = true;
        return new RoutedStream(core, run, plan, walked.value, walked.group, walked.depth, started);
      }
      const last = await lastResort(core, run, plan.length);
      return stored(last.answer, last.served, last.served.servedBy === 'cache');
    } catch (error) {
      noteAttempts(error, run.attempts);
      throw error;
    } finally {
      if (!handedOver) run.dispose();
    }
  } catch (error) {
    core.reportRequest(route, tenant, started, undefined, error, true, undefined, trace, options.requestId);
    throw error;
  }
}
