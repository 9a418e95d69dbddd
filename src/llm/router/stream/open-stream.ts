import { LlmError } from '../../errors.js';
import type { ChatRequest, ChatResponse, ChatStream, ServedInfo } from '../../types.js';
import type { BulwarkRouter } from '../bulwark-router.js';
import { cacheKey } from '../cache/cache-key.js';
import { ChainPlan } from '../chain-plan.js';
import { noteAttempts, RequestRun } from '../request-run.js';
import type { ResolvedRoute } from '../resolved-route.js';
import { openStreamStep } from './open-step.js';
import { RoutedStream } from './routed-stream.js';
import { StoredStream } from './stored-stream.js';
import { RequestTrace } from '../../tracing/request-trace.js';

/** The per-call options of `router.stream()`, defaults applied. */
export interface StreamCallOptions {
  tenant: string;
  requestId: string;
  signal: AbortSignal | undefined;
}

/**
 * `router.stream()`: resolves once the first token is available. Every failure before that —
 * on any deployment, any step — fails over silently (the caller sees nothing of it). A fresh
 * cache hit (routes with `cache: true`) and the last resorts (stale answer, default answer) are
 * replayed as streams; if nothing at all can answer, the promise rejects with
 * AllFallbacksFailedError before any byte was sent, so the caller can still answer with a status.
 */
export async function openRouterStream(router: BulwarkRouter, route: ResolvedRoute, request: ChatRequest, options: StreamCallOptions): Promise<ChatStream> {
  const started = router.clock.now();
  const { tenant } = options;
  const trace = RequestTrace.start(route.name, request, tenant, true);
  const stored = (response: ChatResponse, served: ServedInfo, cacheHit: boolean): ChatStream => {
    const ttftMs = router.clock.now() - started;
    return new StoredStream(response, served, (complete) => {
      if (complete) router.emitRequest(route, tenant, started, { result: { response, served }, group: undefined, cacheHit }, undefined, true, ttftMs, trace, options.requestId);
      else router.emitRequest(route, tenant, started, undefined, new LlmError('cancelled', 'The caller stopped reading the stream'), true, ttftMs, trace, options.requestId);
    });
  };
  try {
    const key = route.usesCache ? cacheKey(route.name, request, tenant) : undefined;
    if (route.cache && key !== undefined) {
      const hit = await router.cache.get(key, route.cacheTtlMs);
      if (hit?.fresh) return stored(hit.response, { servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false }, true);
    }
    const run = new RequestRun(route, request, tenant, options.requestId, options.signal, key, router.runDeadlines);
    run.trace = trace;
    let handedOver = false;
    try {
      const plan = new ChainPlan(route);
      for (let step = plan.next(); step !== undefined; step = plan.next()) {
        const outcome = await openStreamStep(router, run, step.group, new Set(), (d) => ({ ...request, model: d.config.model }));
        if (outcome.type === 'answered') {
          handedOver = true;
          return new RoutedStream(router, run, plan, outcome.value, step.group, step.depth, started);
        }
        if (outcome.type === 'stopped') break;
        if (outcome.type === 'redirect') plan.redirect(outcome.kind);
      }
      if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: run.lastError });
      const last = await router.lastResort(run, plan.length);
      return stored(last.response, last.served, last.served.servedBy === 'cache');
    } catch (error) {
      noteAttempts(error, run.attempts);
      throw error;
    } finally {
      if (!handedOver) run.dispose();
    }
  } catch (error) {
    router.emitRequest(route, tenant, started, undefined, error, true, undefined, trace, options.requestId);
    throw error;
  }
}
