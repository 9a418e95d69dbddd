import type { IncomingMessage, ServerResponse } from 'node:http';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { RequestEvent } from '../../llm/router-events.js';
import { REQUEST_SPAN_KEY } from '../../llm/tracing/request-span-key.js';
import type { RequestContext } from '../http/request-context.js';
import type { RequestObserver } from '../http/request-observer.js';
import type { RouteDefinition, RouteHandler } from '../http/route-table.js';

/** `logging.access` as validated. */
export interface AccessLogSettings {
  enabled: boolean;
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  sampleRatio: number;
}

/** What {@link RequestTelemetry} is built from. */
export interface RequestTelemetryOptions {
  logger: Logger;
  clock: Clock;
  /** Decides which successful requests the access log samples (default `Math.random`). */
  random?: RandomSource;
  access: AccessLogSettings;
  /** The gateway's tracer when tracing is on. */
  tracer?: Tracer;
}

/** A traced request's server span and the context its handler runs in. */
interface ServerTrace {
  span: Span;
  ctx: Context;
}

// Paths worth a span: the APIs and admin actions (scrapes and probes would drown the traces).
function traced(route: RouteDefinition): boolean {
  return route.path.startsWith('/v1/') || route.path.startsWith('/admin/');
}

/**
 * The gateway's per-request telemetry: one SERVER span per API request (parent taken from the
 * client's `traceparent`/`tracestate`; the router annotates it with the GenAI attributes and
 * adds one CLIENT span per upstream attempt under it) and one access-log line per request.
 * Neither records prompts, answers or keys. Built only when at least one of them is on.
 */
export class RequestTelemetry implements RequestObserver {
  private readonly inFlight = new Map<string, RequestContext>();
  private readonly access: AccessLogSettings;
  private readonly log: Logger;
  private readonly random: RandomSource;

  constructor(private readonly options: RequestTelemetryOptions) {
    this.access = options.access;
    this.log = options.logger.child({ log: 'access' });
    this.random = options.random ?? Math.random;
  }

  /** True when at least one of traces and access log is on (else the gateway builds none). */
  static wanted(access: AccessLogSettings, tracer: Tracer | undefined): boolean {
    return access.enabled || tracer !== undefined;
  }

  /** The router's RequestEvent for a request in flight (joined by request id, for the access log). */
  readonly noteOutcome = (event: RequestEvent): void => {
    if (event.requestId === undefined) return;
    const context = this.inFlight.get(event.requestId);
    if (context !== undefined) context.outcome = event;
  };

  /** True when the access log wants the router's request events. */
  get wantsOutcomes(): boolean {
    return this.access.enabled;
  }

  begin(context: RequestContext, req: IncomingMessage, route: RouteDefinition | undefined): void {
    if (this.access.enabled) this.inFlight.set(context.requestId, context);
    const tracer = this.options.tracer;
    if (tracer === undefined || route === undefined || !traced(route)) return;
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${context.method} ${route.path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': context.method, 'http.route': route.path, 'url.path': context.path, 'bulwark.request_id': context.requestId },
    }, parent);
    const serverTrace: ServerTrace = { span, ctx: trace.setSpan(parent, span).setValue(REQUEST_SPAN_KEY, span) };
    context.trace = serverTrace;
  }

  run(context: RequestContext, handler: RouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const serverTrace = context.trace as ServerTrace | undefined;
    if (serverTrace === undefined) return handler(context, req, res);
    return otelContext.with(serverTrace.ctx, handler, undefined, context, req, res);
  }

  end(context: RequestContext): void {
    const serverTrace = context.trace as ServerTrace | undefined;
    if (serverTrace !== undefined) {
      const { span } = serverTrace;
      span.setAttribute('http.response.status_code', context.status);
      if (context.status >= 500 || context.status === 0) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    if (!this.access.enabled) return;
    if (this.inFlight.get(context.requestId) === context) this.inFlight.delete(context.requestId);
    const failed = context.status >= 500 || context.status === 0 || context.served.degraded;
    if (!failed && this.access.sampleRatio < 1 && this.random() >= this.access.sampleRatio) return;
    this.log[this.access.level](accessLine(context, this.options.clock.now() - context.startedAt, serverTrace?.span), 'request');
  }
}

/** The access-log fields of one request: never a prompt, an answer or a key. */
export function accessLine(context: RequestContext, latencyMs: number, span: Span | undefined): Record<string, unknown> {
  const o = context.outcome;
  const served = context.served;
  return {
    requestId: context.requestId,
    traceId: span?.spanContext().traceId,
    tenant: context.tenant,
    method: context.method,
    path: context.path,
    route: o?.route,
    servedBy: o?.servedBy ?? served.servedBy,
    attempts: o?.attempts ?? served.attempts,
    fallbackDepth: o?.fallbackDepth ?? served.fallbackDepth,
    status: context.status,
    latencyMs,
    ttftMs: o?.ttftMs,
    inputTokens: o?.inputTokens,
    outputTokens: o?.outputTokens,
    degraded: o?.degraded ?? served.degraded,
    stream: o?.stream,
    cacheHit: o?.cacheHit,
    errorKind: o?.errorKind,
  };
}
