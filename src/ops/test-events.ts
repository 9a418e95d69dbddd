// Builders of router events for the ops tests (not exported from the package).
import type { AttemptEvent, BreakerEvent, EjectionEvent, RequestEvent } from '../llm/router-events.js';
import type { AlertNotification, AlertSink } from './alert-types.js';

export function requestEvent(at: number, over: Partial<RequestEvent> = {}): RequestEvent {
  return {
    route: 'gpt-4', tenant: 'acme', servedBy: 'openai-east', group: 'gpt4', fallbackDepth: 0, attempts: 1,
    degraded: false, ok: true, stream: false, durationMs: 200, inputTokens: 12, outputTokens: 30, cacheHit: false, at, ...over,
  };
}

export function failedRequest(at: number, over: Partial<RequestEvent> = {}): RequestEvent {
  return requestEvent(at, { ok: false, servedBy: 'none', group: undefined, errorKind: 'all_failed', attempts: 2, ...over });
}

export function attemptEvent(at: number, over: Partial<AttemptEvent> = {}): AttemptEvent {
  return { route: 'gpt-4', group: 'gpt4', deployment: 'openai-east', ok: true, durationMs: 180, at, ...over };
}

export function breakerEvent(at: number, deployment: string, to: BreakerEvent['to'], group = 'gpt4'): BreakerEvent {
  return { group, deployment, from: to === 'open' ? 'closed' : 'open', to, reason: 'test', at };
}

export function ejectionEvent(at: number, deployment: string, ejected: boolean, group = 'gpt4'): EjectionEvent {
  return { group, deployment, ejected, durationMs: ejected ? 30_000 : undefined, at };
}

/** A sink that records what it receives. */
export class CapturingSink implements AlertSink {
  readonly name = 'capture';
  readonly received: AlertNotification[] = [];
  async send(n: AlertNotification): Promise<void> {
    this.received.push(n);
  }
  of(rule: string): AlertNotification[] {
    return this.received.filter((n) => n.rule === rule);
  }
}

/** A logger that discards everything. */
export const silentLogger = { info() {}, warn() {}, error() {} };
