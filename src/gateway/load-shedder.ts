import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { TimeoutError } from '../core/errors.js';
import { AllFallbacksFailedError, LlmError } from '../llm/errors.js';
import type { LoadSheddingConfig } from './config/scale-out-schema.js';
import type { RequestContext } from './http/request-context.js';
import { FirstTokenLimit } from './first-token-limit.js';
import { sendError } from './http/respond.js';
import { noteAskedRoute } from './refusals.js';
import type { RouteHandler } from './http/route-table.js';
import { PRIORITY_HEADER } from './load-shedding-defaults.js';

type Priority = 'low' | 'normal' | 'high';
const RANK: Readonly<Record<Priority, number>> = Object.freeze({ low: 0, normal: 1, high: 2 });

/** Timeouts and upstream overload say "too much in flight" at a deployment; other failures say nothing about load. */
export function isOverloadSignal(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  const llm = error instanceof AllFallbacksFailedError ? error.lastError : error;
  return llm instanceof LlmError && (llm.kind === 'timeout' || llm.kind === 'overloaded');
}

/**
 * What says the gateway itself has too much in flight: only Bulwark's own process-wide limits.
 * An upstream's timeouts and 503s are the deployments' limits' business (`scale-out.ts`): cutting
 * the whole gateway for them sheds traffic the fallbacks would have served (a 10-minute soak with
 * the chaos preset shed 43,066 of 60,000 requests on an idle machine that way).
 */
export function isGatewayOverloadSignal(error: unknown): boolean {
  const llm = error instanceof AllFallbacksFailedError ? error.lastError : error;
  return llm instanceof LlmError && llm.kind === 'gateway_overloaded';
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
 * Gateway-wide load shedding: one {@link FirstTokenLimit} in front of the chat endpoints. A
 * request above the limit — or above its priority class's share of it — is answered at once with
 * 503 and `Retry-After` instead of queueing until it times out; the limit follows the time to
 * the first answer byte (a stream's first token; a whole answer against its length), so admitted
 * requests keep their unloaded latency, and traffic using less than half of it is never shed.
 * Refusals are counted (`context.refusal = 'shed'`) against the route the body asked for.
 *
 * @example server.routes.add({ ...chatRoute, handler: shedder.wrap(chatRoute.handler) }, { replace: true });
 */
export class LoadShedder {
  readonly limiter: FirstTokenLimit;
  private readonly shares: Readonly<Record<Priority, number>>;
  private shedCount = 0;

  constructor(private readonly config: LoadSheddingConfig, private readonly clock: Clock, private readonly bodyLimitBytes: () => number) {
    const { initialLimit, minLimit, maxLimit } = config.gateway;
    this.limiter = new FirstTokenLimit({ initialLimit, minLimit, maxLimit, isOverload: isGatewayOverloadSignal, clock });
    this.shares = Object.freeze({ ...config.priorities });
  }

  /** Requests refused so far. */
  get shed(): number {
    return this.shedCount;
  }

  /** `handler` run under the limit of the request's priority class; refused requests get 503 + Retry-After. */
  wrap(handler: RouteHandler): RouteHandler {
    const limiter = this.limiter;
    return (context, req, res) => {
      const priority = requestPriority(context, req, this.config.priorityHeader);
      if (!limiter.tryAcquire(this.shares[priority])) return this.refuse(context, req, res);
      const inFlightAtStart = limiter.inFlight;
      const admittedAt = this.clock.now();
      let pending: Promise<void> | void;
      try {
        pending = handler(context, req, res);
      } catch (error) {
        limiter.release(NaN, 0, inFlightAtStart, isGatewayOverloadSignal(error));
        throw error;
      }
      if (!pending) {
        limiter.release(NaN, 0, inFlightAtStart);
        return pending;
      }
      return pending.then(
        () => this.released(context, admittedAt, inFlightAtStart),
        (error: unknown) => {
          limiter.release(NaN, 0, inFlightAtStart, isGatewayOverloadSignal(error));
          throw error;
        },
      );
    };
  }

  /**
   * A stream's sample is its first byte, a whole answer's its end and output tokens. An error
   * answer says nothing, nor does one that took retries or fallbacks: its time is the failed
   * attempts', not a queue in front of the gateway.
   */
  private released(context: RequestContext, admittedAt: number, inFlightAtStart: number): void {
    if (context.status !== 200 || context.served.attempts > 1 || context.served.fallbackDepth > 0) this.limiter.release(NaN, 0, inFlightAtStart);
    else if (context.firstByteAt > 0) this.limiter.release(context.firstByteAt - admittedAt, 0, inFlightAtStart);
    else this.limiter.release(this.clock.now() - admittedAt, context.outputTokens, inFlightAtStart);
  }

  private async refuse(context: RequestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.shedCount++;
    context.refusal = 'shed';
    await noteAskedRoute(context, req, this.bodyLimitBytes());
    const error = this.limiter.refusal();
    sendError(res, context, error, { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) });
  }
}
