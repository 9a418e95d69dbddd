import { request } from 'undici';
import type { Clock } from '../core/clock.js';
import { parseRetryAfter } from '../core/retry-after.js';
import type { SinkConfig } from './config.js';
import type { AlertNotification, AlertSink } from './alert-types.js';
import type { OpsLogger } from './logger.js';

/** A failed webhook delivery; the message carries the status code, never the URL (it may hold a token). */
export class WebhookDeliveryError extends Error {
  /** From the receiver's Retry-After (429/503): the retry policy waits at least this long. */
  readonly retryAfterMs: number | undefined;
  constructor(readonly sinkName: string, readonly statusCode: number, retryAfterMs?: number) {
    super(`${sinkName}: webhook answered ${statusCode}`);
    this.name = 'WebhookDeliveryError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Writes each notification as one structured log line (warn when firing, info when resolved). */
export class LogSink implements AlertSink {
  readonly name = 'log';
  constructor(private readonly logger: OpsLogger) {}

  async send(n: AlertNotification): Promise<void> {
    const line = { alert: n.id, rule: n.rule, subject: n.subject, severity: n.severity, state: n.state, repeat: n.repeat, value: n.value, threshold: n.threshold, labels: n.labels };
    if (n.state === 'firing') this.logger.warn(line, n.summary);
    else this.logger.info(line, n.summary);
  }
}

async function postJson(sinkName: string, url: string, headers: Record<string, string>, body: unknown, timeoutMs: number, now: () => number, signal?: AbortSignal): Promise<void> {
  const response = await request(url, {
    signal,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    const hint = response.headers['retry-after'];
    throw new WebhookDeliveryError(sinkName, response.statusCode, parseRetryAfter(Array.isArray(hint) ? hint[0] : hint, now()));
  }
}

/** POSTs the {@link AlertNotification} as JSON to any endpoint; non-2xx is a failure (retried by the queue). */
export class WebhookSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  send(n: AlertNotification, signal?: AbortSignal): Promise<void> {
    return postJson(this.name, this.url, this.headers, n, this.timeoutMs, this.now, signal);
  }
}

/** The Slack incoming-webhook body for a notification: `text` (fallback) plus `blocks`. */
export function slackMessage(n: AlertNotification): { text: string; blocks: unknown[] } {
  const icon = n.state === 'resolved' ? ':white_check_mark:' : n.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const tag = n.state === 'resolved' ? 'RESOLVED' : n.repeat ? 'STILL FIRING' : 'FIRING';
  const text = `${icon} [${tag}] ${n.rule} ${n.subject}: ${n.summary}`;
  const fields = Object.entries(n.labels).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*: ${v}` }));
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (fields.length > 0) blocks.push({ type: 'section', fields: fields.slice(0, 10) });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `severity ${n.severity} · since ${n.startsAt}${n.endsAt ? ` · ended ${n.endsAt}` : ''}` }] });
  return { text, blocks };
}

/** Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): POSTs `{ text, blocks }`. */
export class SlackSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  send(n: AlertNotification, signal?: AbortSignal): Promise<void> {
    return postJson(this.name, this.url, {}, slackMessage(n), this.timeoutMs, this.now, signal);
  }
}

/** Builds the configured sinks; names are `log`, `webhook#i`/`slack#i` or the configured `name`. */
export function createSinks(configs: readonly SinkConfig[], logger: OpsLogger, timeoutMs: number, clock: Clock): AlertSink[] {
  const now = () => clock.now();
  return configs.map((c, i) => {
    if (c.type === 'log') return new LogSink(logger);
    if (c.type === 'webhook') return new WebhookSink(c.name ?? `webhook#${i}`, c.url, c.headers ?? {}, timeoutMs, now);
    return new SlackSink(c.name ?? `slack#${i}`, c.url, timeoutMs, now);
  });
}
