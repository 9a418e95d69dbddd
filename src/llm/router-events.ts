import type { LlmErrorKind } from './errors.js';

/**
 * What the router reports to observers (ops: metrics, SLA windows, health, alerts, dashboard).
 * Emitted through `core/events.ts` emitters: free when nobody listens, never on the request's
 * critical path for the listener's own work.
 */

/** One upstream attempt on one deployment. */
export interface AttemptEvent {
  route: string;
  group: string;
  deployment: string;
  ok: boolean;
  errorKind?: LlmErrorKind;
  durationMs: number;
  /** Clock time the attempt ended (ms). */
  at: number;
}

/**
 * Why a request was refused before any upstream attempt: the gateway's load shedding (`shed`) or
 * a full bulkhead / deployment limit (`bulkhead_full`), a key's RPM (`rate_limited`), a tenant's
 * quota (`tenant_quota`), a body above the limit (`body_too_large`), or a request the gateway
 * cannot serve (`unsupported`).
 */
export type RejectionReason = 'shed' | 'bulkhead_full' | 'rate_limited' | 'tenant_quota' | 'body_too_large' | 'unsupported';

/** One whole request through the router, as the caller saw it. */
export interface RequestEvent {
  route: string;
  tenant: string;
  /** Deployment id, `cache` or `default`; `none` when the request failed. */
  servedBy: string;
  /** The model group that answered, when a model answered. */
  group?: string;
  fallbackDepth: number;
  attempts: number;
  degraded: boolean;
  ok: boolean;
  errorKind?: LlmErrorKind | 'all_failed' | 'shed' | 'rate_limited' | 'stream_interrupted';
  /** Set when the request was refused before any upstream attempt (by the gateway or every deployment's local limits). */
  rejection?: RejectionReason;
  stream: boolean;
  durationMs: number;
  /** Streams: time to the first event reaching the caller. */
  ttftMs?: number;
  inputTokens: number;
  outputTokens: number;
  cacheHit: boolean;
  at: number;
  /** The caller's request id (`CallOptions.requestId`, else the router's own), for joining access logs. */
  requestId?: string;
  /** The request's trace id when it was traced (exemplars on the latency histogram). */
  traceId?: string;
}

export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated' | 'forced-closed' | 'disabled';

/** A deployment's breaker changed state. */
export interface BreakerEvent {
  group: string;
  deployment: string;
  from: BreakerStateName;
  to: BreakerStateName;
  reason: string;
  at: number;
}

/** A deployment was ejected from (or re-admitted to) its group's rotation. */
export interface EjectionEvent {
  group: string;
  deployment: string;
  ejected: boolean;
  /** For ejections: how long. */
  durationMs?: number;
  at: number;
}
