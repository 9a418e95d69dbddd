import { AllFallbacksFailedError, LlmError } from '../errors.js';
import { isUnsupported, type Unsupported, type UpstreamCall } from '../exchange.js';
import type { ServedInfo } from '../types.js';
import { fillDefaultTemplate } from '../dialects/canonical/default-response.js';
import type { ChainPlan } from './chain-plan.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import type { RequestRun } from './request-run.js';
import type { RouterCore } from './router-core.js';
import type { StepOutcome } from './step-race.js';

/** The step that answered. */
export interface Walked<R> {
  value: R;
  deployment: Deployment;
  group: ModelGroup;
  depth: number;
}

/** Runs one chain step on a group, skipping the deployments in `exclude`. */
export type StepRunner<R> = (group: ModelGroup, exclude: Set<string>) => Promise<StepOutcome<R>>;

/** The call `run`'s exchange prepared for `deployment` (capability-aware routing excluded the ones it cannot carry). */
export function callFor(run: RequestRun, deployment: Deployment): UpstreamCall {
  const call = prepare(run, deployment);
  if (isUnsupported(call)) throw new LlmError('invalid_request', `Deployment ${deployment.id} cannot carry ${call.unsupported.join(', ')}`, { param: call.unsupported[0] });
  return call;
}

/**
 * The exchange's call for `deployment`, with its failures made the request's: nothing was sent,
 * so nothing here may count against the deployment. A request that cannot be encoded (a
 * `RangeError`: nested too deep or too large to serialize) is `invalid_request`; any other
 * unclassified throw is `internal` (a Bulwark bug).
 */
function prepare(run: RequestRun, deployment: Deployment): UpstreamCall | Unsupported {
  try {
    return run.exchange.prepare(deployment.target, run.route.onUnsupported);
  } catch (error) {
    if (error instanceof LlmError) throw error;
    if (error instanceof RangeError) {
      throw new LlmError('invalid_request', `The request cannot be encoded for deployment ${deployment.id}: it nests too deeply or is too large`, { cause: error });
    }
    throw new LlmError('internal', `Bulwark failed to encode the request for deployment ${deployment.id} (${error instanceof Error ? error.name : typeof error}); this is a bug, please report it with the request id`, { cause: error });
  }
}

/**
 * The deployments of `group` whose API cannot carry the request (capability-aware routing): the
 * balancer never picks them. Their refusals are remembered on the run, so a request no
 * deployment can carry is answered 400 naming its fields.
 */
export function incapable(run: RequestRun, group: ModelGroup): Set<string> {
  const exclude = new Set<string>();
  for (const deployment of group.deployments) {
    const call = prepare(run, deployment);
    if (isUnsupported(call)) {
      exclude.add(deployment.id);
      for (const field of call.unsupported) run.unsupported.add(field);
      run.refusal ??= call.error;
    } else {
      run.carriers++;
    }
  }
  return exclude;
}

/**
 * The one chain walk, for plain answers and streams alike: the plan's model steps in order
 * (`step` runs one: pick, failover inside the group, hedging), redirected to the route's special
 * fallbacks when a step says so. Resolves with the step that answered, or undefined when every
 * model failed (the caller then tries the last resorts, {@link lastResort}). Throws for a
 * cancelled request and for one no deployment of the route can carry (400 naming the fields).
 */
export async function walkChain<R>(run: RequestRun, plan: ChainPlan, step: StepRunner<R>): Promise<Walked<R> | undefined> {
  for (let next = plan.next(); next !== undefined; next = plan.next()) {
    const exclude = incapable(run, next.group);
    if (exclude.size === next.group.deployments.length) continue;
    const outcome = await step(next.group, exclude);
    if (outcome.type === 'answered') return { value: outcome.value, deployment: outcome.deployment, group: next.group, depth: next.depth };
    if (outcome.type === 'stopped') break;
    if (outcome.type === 'redirect') plan.redirect(outcome.kind);
  }
  if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: run.lastError });
  if (run.carriers === 0 && run.refusal !== undefined) throw run.refusal;
  if (run.carriers === 0 && run.unsupported.size > 0) {
    const fields = [...run.unsupported].map((f) => `'${f}'`).join(', ');
    throw new LlmError('invalid_request', `Invalid request: ${fields} cannot be carried by any deployment of route ${run.route.name} (their API has no such field); remove it, or set the route's onUnsupported: drop`, { param: [...run.unsupported][0] });
  }
  return undefined;
}

/**
 * Every model failed: the last good answer for this request (stale-if-error, even past its
 * TTL; depth = model steps planned), else the route's default answer (depth + 1), else
 * AllFallbacksFailedError carrying the last error.
 */
export async function lastResort<A>(core: RouterCore, run: RequestRun<A>, planLength: number): Promise<{ answer: A; served: ServedInfo }> {
  const route = run.route;
  if (route.staleIfError && run.cacheKey !== undefined) {
    const hit = await core.cache.get(run.cacheKey, route.cacheTtlMs);
    const answer = hit === undefined ? undefined : run.exchange.restore(hit.response);
    if (answer !== undefined) return { answer, served: { servedBy: 'cache', attempts: run.attempts, fallbackDepth: planLength, degraded: true } };
  }
  if (route.defaultResponse !== undefined) {
    const text = fillDefaultTemplate(route.defaultResponse, run.exchange.route, run.requestId);
    const answer = run.exchange.defaultAnswer(text, run.requestId, core.clock.now());
    // Some exchanges have none (embeddings, a request bound to a stored response): the error stands.
    if (answer !== undefined) return { answer, served: { servedBy: 'default', attempts: run.attempts, fallbackDepth: planLength + 1, degraded: true } };
  }
  throw new AllFallbacksFailedError(run.attempts, run.lastError, retryAfterMs(run));
}

/**
 * When trying this route again may help, once its chain failed: the soonest any breaker on it
 * lets a probe through, else the last upstream's hint (Retry-After), else undefined.
 */
function retryAfterMs<A>(run: RequestRun<A>): number | undefined {
  let soonest: number | undefined;
  for (const group of run.route.chain) {
    for (const deployment of group.deployments) {
      const waitMs = deployment.breaker.retryAfterMs;
      if (waitMs > 0 && (soonest === undefined || waitMs < soonest)) soonest = waitMs;
    }
  }
  return soonest ?? (run.lastError instanceof LlmError ? run.lastError.retryAfterMs : undefined);
}
