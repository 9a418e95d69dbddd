import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { ChatRequest, ChatResponse, ServedInfo } from '../types.js';
import { traceContentCaptured } from './content-capture.js';
import * as A from './genai-attributes.js';
import { ownedRequestSpan } from './request-span-key.js';

/** Instrumentation scope of every Bulwark span. */
export const TRACER_NAME = 'bulwark';

let tracer: Tracer | undefined;
// A ProxyTracer: it follows a tracer provider registered later, so it can be fetched once.
function tracerOf(): Tracer {
  return (tracer ??= trace.getTracer(TRACER_NAME));
}

/** What a deployment looks like to a span (structural: the router's `Deployment` fits). */
export interface TracedDeployment {
  readonly id: string;
  readonly provider: { readonly dialect: string };
  readonly breaker: { readonly state: string };
}

/** What a request span reads of the request (structural: every router exchange fits); called only when the trace records. */
export interface TracedRequest {
  describe?(): ChatRequest | undefined;
  describeParams?(): { maxTokens?: number; temperature?: number };
}

/** How a request ended, for its span. */
export interface TracedOutcome {
  served: ServedInfo;
  response?: ChatResponse;
  cacheHit: boolean;
  /** Tokens when there is no response object (streams). */
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * The spans of one request through the router, built only when a tracer provider records it
 * ({@link RequestTrace.start} returns undefined otherwise: no attribute is built, no span object
 * kept, no context switched). The request span is the caller's (the gateway's SERVER span, see
 * `REQUEST_SPAN_KEY`) or an INTERNAL one opened here; every upstream attempt is a CLIENT child
 * span. Retries, breaker transitions, fallbacks and stream continuations are events on the
 * request span. Prompts and answers are recorded only when content capture is on.
 */
export class RequestTrace {
  /** Upstream attempts started so far (numbered from 1 on their spans). */
  private attempts = 0;
  private lastDeployment: TracedDeployment | undefined;
  private lastBreakerState = '';
  private lastGroup: string | undefined;

  private constructor(
    readonly span: Span,
    /** The context attempt spans are children of. */
    readonly ctx: Context,
    private readonly owned: boolean,
  ) {}

  /** The trace id (32 hex digits). */
  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /**
   * Opens the request's trace, or returns undefined when nothing records it. `request` is read
   * only when the trace records: its parameters (max tokens, temperature) and, with content
   * capture on, its messages.
   */
  static start(route: string, request: TracedRequest, tenant: string, stream: boolean): RequestTrace | undefined {
    const parent = context.active();
    const owned = ownedRequestSpan(parent);
    let span: Span;
    if (owned !== undefined) {
      if (!owned.isRecording()) return undefined;
      span = owned;
    } else {
      span = tracerOf().startSpan(`chat ${route}`, { kind: SpanKind.INTERNAL }, parent);
      if (!span.isRecording()) return undefined;
    }
    const attributes: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: route,
      [A.ATTR_BULWARK_ROUTE]: route,
      [A.ATTR_BULWARK_TENANT]: tenant,
      [A.ATTR_BULWARK_STREAM]: stream,
    };
    // The parameters are read without translating the request; the whole request only for content capture.
    const captured = traceContentCaptured() ? request.describe?.() : undefined;
    const params = request.describeParams?.() ?? captured ?? request.describe?.();
    if (params?.maxTokens !== undefined) attributes[A.ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.maxTokens;
    if (params?.temperature !== undefined) attributes[A.ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
    if (captured !== undefined) attributes[A.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(inputMessages(captured));
    span.setAttributes(attributes);
    return new RequestTrace(span, owned === undefined ? trace.setSpan(parent, span) : parent, owned !== undefined);
  }

  /** Starts the span of one upstream attempt on `deployment` (`retry`: earlier calls on the same deployment in this step). */
  attempt(group: string, deployment: TracedDeployment, upstreamModel: string, retry: number): AttemptTrace {
    this.noteBreakerChange();
    if (retry > 0) this.span.addEvent(A.EVENT_RETRY, { [A.ATTR_BULWARK_DEPLOYMENT]: deployment.id, [A.ATTR_BULWARK_RETRY]: retry });
    else if (this.lastGroup !== undefined && this.lastGroup !== group) this.span.addEvent(A.EVENT_FALLBACK, { [A.ATTR_BULWARK_GROUP]: group });
    this.attempts++;
    this.lastDeployment = deployment;
    this.lastGroup = group;
    const breakerState = deployment.breaker.state;
    this.lastBreakerState = breakerState;
    const span = tracerOf().startSpan(`chat ${upstreamModel}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [A.ATTR_GEN_AI_PROVIDER_NAME]: deployment.provider.dialect,
        [A.ATTR_GEN_AI_REQUEST_MODEL]: upstreamModel,
        [A.ATTR_BULWARK_DEPLOYMENT]: deployment.id,
        [A.ATTR_BULWARK_GROUP]: group,
        [A.ATTR_BULWARK_ATTEMPT]: this.attempts,
        [A.ATTR_BULWARK_RETRY]: retry,
        [A.ATTR_BULWARK_BREAKER_STATE]: breakerState,
      },
    }, this.ctx);
    return new AttemptTrace(span, trace.setSpan(this.ctx, span));
  }

  /** Adds an event to the request span (e.g. a stream continued on another model). */
  event(name: string, attributes: Attributes): void {
    this.span.addEvent(name, attributes);
  }

  /** The request was answered (by a model, the cache or the default answer). */
  succeed(outcome: TracedOutcome): void {
    this.noteBreakerChange();
    const { served, response } = outcome;
    const attributes: Attributes = {
      [A.ATTR_BULWARK_SERVED_BY]: served.servedBy,
      [A.ATTR_BULWARK_FALLBACK_DEPTH]: served.fallbackDepth,
      [A.ATTR_BULWARK_ATTEMPTS]: served.attempts,
      [A.ATTR_BULWARK_DEGRADED]: served.degraded,
      [A.ATTR_BULWARK_CACHE_HIT]: outcome.cacheHit,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: response?.usage.inputTokens ?? outcome.inputTokens ?? 0,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: response?.usage.outputTokens ?? outcome.outputTokens ?? 0,
    };
    if (response !== undefined) {
      attributes[A.ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
      attributes[A.ATTR_GEN_AI_RESPONSE_ID] = response.id;
      attributes[A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [response.finishReason];
      if (traceContentCaptured()) attributes[A.ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify([{ role: 'assistant', content: response.content }]);
    }
    this.span.setAttributes(attributes);
    if (!this.owned) this.span.end();
  }

  /** The request failed: `errorType` is the error kind (`all_failed`, `timeout`…). */
  fail(errorType: string, attempts: number): void {
    this.noteBreakerChange();
    this.span.setAttributes({ [A.ATTR_ERROR_TYPE]: errorType, [A.ATTR_BULWARK_ATTEMPTS]: attempts, [A.ATTR_BULWARK_SERVED_BY]: 'none' });
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    if (!this.owned) this.span.end();
  }

  // The breaker records an attempt's failure after the attempt returns: its transition is seen at the next attempt or at the end.
  private noteBreakerChange(): void {
    const deployment = this.lastDeployment;
    if (deployment === undefined) return;
    const now = deployment.breaker.state;
    if (now !== this.lastBreakerState) {
      this.span.addEvent(A.EVENT_BREAKER_TRANSITION, { [A.ATTR_BULWARK_DEPLOYMENT]: deployment.id, 'bulwark.breaker.from': this.lastBreakerState, 'bulwark.breaker.to': now });
      this.lastBreakerState = now;
    }
  }
}

/** The CLIENT span of one upstream attempt. */
export class AttemptTrace {
  constructor(
    readonly span: Span,
    /** Active while the upstream call runs, so the request it sends carries this span's `traceparent`. */
    readonly ctx: Context,
  ) {}

  /** Runs `fn` with this attempt's span active. */
  run<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  /** The upstream answered: `response` for a plain answer; for a stream, its tokens and the model it named. */
  succeed(response: ChatResponse | undefined, inputTokens?: number, outputTokens?: number, responseModel?: string): void {
    const attributes: Attributes = {
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: response?.usage.inputTokens ?? inputTokens ?? 0,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: response?.usage.outputTokens ?? outputTokens ?? 0,
    };
    if (response !== undefined) {
      attributes[A.ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
      attributes[A.ATTR_GEN_AI_RESPONSE_ID] = response.id;
      attributes[A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [response.finishReason];
    } else if (responseModel !== undefined) {
      attributes[A.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    }
    this.span.setAttributes(attributes);
    this.span.end();
  }

  /** The attempt failed with error kind `errorType` (`server_error`, `timeout`, `rate_limited`…). */
  fail(errorType: string): void {
    this.span.setAttribute(A.ATTR_ERROR_TYPE, errorType);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    this.span.end();
  }
}

function inputMessages(request: ChatRequest): unknown[] {
  const messages: unknown[] = request.system === undefined ? [] : [{ role: 'system', content: request.system }];
  for (const m of request.messages) messages.push(m);
  return messages;
}
