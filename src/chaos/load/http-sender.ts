import { Pool } from 'undici';
import { type Clock, systemClock } from '../../core/clock.js';
import { retryConnectionFailures } from './connection-retry.js';
import type { Send, SendResult } from './runner.js';

/** Options of {@link httpChatSender}; only `url` is required. */
export interface HttpChatSenderOptions {
  /** Base URL of an OpenAI- or Anthropic-compatible server (gateway or mock), e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** Wire dialect. Default `openai` (POST /v1/chat/completions); `anthropic` uses POST /v1/messages. */
  dialect?: 'openai' | 'anthropic';
  model?: string;
  stream?: boolean;
  /** Sent as `Authorization: Bearer` (openai) or `x-api-key` (anthropic). */
  apiKey?: string;
  /** Prompt text; `{i}` is replaced by the request number (so answers are not all cache hits). Default a fixed prompt. */
  prompt?: string;
  maxTokens?: number;
  /** Extra request headers (e.g. a priority class). */
  headers?: Record<string, string>;
  /** Pool size. Default 256. */
  connections?: number;
  /** High-resolution clock for TTFT, same scale as the runner's `now`. Default `performance.now()`. */
  now?: () => number;
  /**
   * Retry a connection refused, reset or closed before any response, every 50 ms until the
   * request's timeout, as a client behind a load balancer does (see `connection-retry.ts`). Default false.
   */
  retryConnectionErrors?: boolean;
  /** Times the reconnect pauses. Default the system clock. */
  clock?: Clock;
}

/** The prompt of every request unless `prompt` is given. */
export const DEFAULT_PROMPT = 'Say hello to the load test.';

/**
 * A {@link Send} that posts chat requests over a keep-alive undici pool and reads the answer to
 * the end. A 2xx answer counts as ok only when its body is JSON (`malformed_body` otherwise); a stream counts as ok only when it ends with its terminal event (`[DONE]` or
 * `message_stop`); an SSE error event or a cut stream counts as an error.
 * `connectionRetries` counts, by code, the connection failures retried (`retryConnectionErrors`).
 * Call `close()` when done.
 */
export function httpChatSender(options: HttpChatSenderOptions): Send & { close(): Promise<void>; readonly connectionRetries: Record<string, number> } {
  const dialect = options.dialect ?? 'openai';
  const base = new URL(options.url);
  const pool = new Pool(base.origin, { connections: options.connections ?? 256, pipelining: 1 });
  const prefix = base.pathname.replace(/\/$/, '');
  const path = `${prefix}${prefix.endsWith('/v1') ? '' : '/v1'}${dialect === 'openai' ? '/chat/completions' : '/messages'}`;
  const now = options.now ?? (() => performance.now());
  const model = options.model ?? (dialect === 'openai' ? 'gpt-4' : 'claude-sonnet');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) {
    if (dialect === 'openai') headers.authorization = `Bearer ${options.apiKey}`;
    else headers['x-api-key'] = options.apiKey;
  }
  if (dialect === 'anthropic') headers['anthropic-version'] = '2023-06-01';
  const prompt = options.prompt ?? DEFAULT_PROMPT;
  const perRequestPrompt = prompt.includes('{i}');
  const fixedBody = perRequestPrompt ? undefined : body(prompt);

  function body(text: string): string {
    const messages = [{ role: 'user', content: text }];
    return JSON.stringify(dialect === 'openai'
      ? { model, messages, max_tokens: options.maxTokens ?? 64, stream: options.stream ?? false }
      : { model, messages, max_tokens: options.maxTokens ?? 64, stream: options.stream ?? false });
  }

  const once = async (index: number, signal: AbortSignal): Promise<SendResult> => {
    const response = await pool.request({
      method: 'POST',
      path,
      headers,
      body: fixedBody ?? body(prompt.replaceAll('{i}', String(index))),
      signal,
    });
    const servedBy = header(response.headers['x-bulwark-served-by']);
    const degraded = header(response.headers['x-bulwark-degraded']) === 'true';
    if (!options.stream || response.statusCode !== 200) {
      const text = await response.body.text();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // A success must be a whole answer: a truncated or garbled body is an error the caller would see.
      if (ok && !isJsonText(text)) return { ok: false, status: response.statusCode, servedBy, degraded, error: 'malformed_body' };
      return ok ? { ok, status: response.statusCode, servedBy, degraded } : { ok, status: response.statusCode, servedBy, degraded, error: `http_${response.statusCode}${errorCodeSuffix(text)}` };
    }
    let firstChunkAt: number | undefined;
    let tail = '';
    try {
      for await (const chunk of response.body) {
        firstChunkAt ??= now();
        // Only the end matters for completeness: keep a short tail across chunk boundaries.
        tail = (tail + (chunk as Buffer).toString('utf8')).slice(-2048);
        if (/\n(event: error|data: \{"error")/.test(tail)) return { ok: false, status: 200, servedBy, degraded, firstChunkAt, error: 'stream_error_event' };
      }
    } catch (error) {
      if (signal.aborted) throw error;
      // The connection broke mid-stream: reported below as incomplete.
    }
    const complete = dialect === 'openai' ? /data: \[DONE\]\s*$/.test(tail) : /event: message_stop/.test(tail);
    return complete
      ? { ok: true, status: 200, servedBy, degraded, firstChunkAt }
      : { ok: false, status: 200, servedBy, degraded, firstChunkAt, error: 'stream_incomplete' };
  };
  const clock = options.clock ?? systemClock;
  const connectionRetries: Record<string, number> = {};
  const counted = (code: string) => {
    connectionRetries[code] = (connectionRetries[code] ?? 0) + 1;
  };
  const send: Send = options.retryConnectionErrors ? (index, signal) => retryConnectionFailures(() => once(index, signal), signal, clock, counted) : once;
  return Object.assign(send, { close: () => pool.close(), connectionRetries });
}

/** `:CODE` from an error body's `error.code` (the gateway's `BULWARK_ERR_…` names the layer that answered), or ''. */
export function errorCodeSuffix(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? `:${code}` : '';
  } catch {
    return '';
  }
}

/** Whether `text` parses as JSON (a whole answer, not a truncated or garbled one). */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
