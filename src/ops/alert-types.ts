/** The built-in alert rules. */
export type AlertRuleName = 'breaker_opened' | 'error_rate' | 'latency_p95' | 'primary_unavailable' | 'slo_burn_rate' | 'dependency_down';

export type AlertSeverity = 'critical' | 'warning';

/** One currently-true condition a rule reports on a tick. */
export interface AlertCondition {
  /** What the alert is about: a deployment, group, route, or `route/kind/window-pair` for SLOs. */
  subject: string;
  severity: AlertSeverity;
  summary: string;
  value?: number;
  threshold?: number;
  /** Low-cardinality context (route, group, deployment, window...). */
  labels: Record<string, string>;
}

/** A rule: given the time, the conditions that hold now. Called on the evaluation tick only. */
export interface AlertRule {
  readonly name: AlertRuleName;
  evaluate(now: number): AlertCondition[];
}

/** What sinks receive and the timeline keeps. */
export interface AlertNotification {
  /** `rule:subject`, stable for the alert's life. */
  id: string;
  rule: AlertRuleName;
  subject: string;
  severity: AlertSeverity;
  state: 'firing' | 'resolved';
  /** True for a reminder of an alert already sent as firing. */
  repeat: boolean;
  summary: string;
  value?: number;
  threshold?: number;
  labels: Record<string, string>;
  /** ISO times: when the alert started, this notification, and (resolved) when it ended. */
  startsAt: string;
  at: string;
  endsAt?: string;
}

/** An alert active now (for `/admin/alerts` and the dashboard). */
export interface ActiveAlert {
  id: string;
  rule: AlertRuleName;
  subject: string;
  severity: AlertSeverity;
  summary: string;
  value?: number;
  threshold?: number;
  labels: Record<string, string>;
  startsAt: string;
  lastSentAt: string;
}

/** Where notifications go. `send` rejects on failure; the delivery queue retries. */
export interface AlertSink {
  /** Shown in metrics and logs; never contains a URL or token. */
  readonly name: string;
  send(notification: AlertNotification, signal?: AbortSignal): Promise<void>;
}
