import type { IncomingMessage } from 'node:http';
import type { Clock } from '../core/clock.js';
import { AdaptiveLimitPolicy } from '../core/adaptive-limit.js';
import { ConcurrencyLimitedError, TimeoutError } from '../core/errors.js';
import type { RunnablePolicy } from '../core/policy.js';
import { AllFallbacksFailedError, LlmError } from '../llm/errors.js';
import type { LoadSheddingConfig } from './config/scale-out-schema.js';
import type { RequestContext } from './http/request-context.js';
import { sendError } from './http/respond.js';
import type { RouteHandler } from './http/route-table.js';
import { PRIORITY_HEADER } from './load-shedding-defaults.js';

type Priority = 'low' | 'normal' | 'high';
const RANK: Readonly<Record<Priority, number>> = Object.freeze({ low: 0, normal: 1, high: 2 });

/** Timeouts and upstream overload say "too much in flight"; other failures say nothing about load. */
export function isOverloadSignal(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  const llm = error instanceof AllFallbacksFailedError ? error.lastError : error;
  return llm instanceof LlmError && (llm.kind === 'timeout' || llm.kind === 'overloaded');
}

/**
 * The request's priority class: the key's (`auth.keys[].priority`, `normal` without keys),
 * lowered — never raised — by `x-bulwark-priority: low|normal|high`. Without gateway keys the
 * header is taken as it is (nobody is authenticated, so nobody has more to lose).
 */
export function requestPriority(context: RequestContext, req: IncomingMessage, honourHeader: boolean): Priority {
  const own = context.priority;
  if (!honourHeader) return own;
  const asked = req.headers[PRIORITY_HEADER];
  if (asked !== 'low' && asked !== 'normal' && asked !== 'high') return own;
  if (context.grant === undefined) return asked;
  return RANK[asked] < RANK[own] ? asked : own;
}

/**
 * Gateway-wide load shedding: one adaptive concurrency limit (the core's Vegas-style
 * {@link AdaptiveLimitPolicy}) in front of the router. A request above the limit — or above its
 * priority class's share of it — is answered at once with 503 and `Retry-After`, its body
 * unread, instead of queueing until it times out; the limit follows the measured latency, so
 * admitted requests keep their unloaded latency.
 *
 * @example server.routes.add({ ...chatRoute, handler: shedder.wrap(chatRoute.handler) }, { replace: true });
 */
export class LoadShedder {
  readonly limiter: AdaptiveLimitPolicy;
  private readonly classes: Readonly<Record<Priority, RunnablePolicy>>;
  private shedCount = 0;

  constructor(private readonly config: LoadSheddingConfig, clock: Clock) {
    const { initialLimit, minLimit, maxLimit } = config.gateway;
    this.limiter = new AdaptiveLimitPolicy({
      initialLimit: Math.min(maxLimit, Math.max(minLimit, initialLimit)),
      minLimit,
      maxLimit,
      priorities: { ...config.priorities },
      isOverload: isOverloadSignal,
      clock,
    });
    this.classes = Object.freeze({
      low: this.limiter.forPriority('low'),
      normal: this.limiter.forPriority('normal'),
      high: this.limiter.forPriority('high'),
    });
  }

  /** Requests refused so far. */
  get shed(): number {
    return this.shedCount;
  }

  /** `handler` run under the limit of the request's priority class; refused requests get 503 + Retry-After. */
  wrap(handler: RouteHandler): RouteHandler {
    return (context, req, res) => {
      const priority = requestPriority(context, req, this.config.priorityHeader);
      return this.classes[priority].execute(() => handler(context, req, res)).catch((error: unknown) => {
        if (!(error instanceof ConcurrencyLimitedError)) throw error;
        this.shedCount++;
        req.resume(); // the body is never read: let the connection carry on
        sendError(res, context, error, { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) });
      });
    };
  }
}
