/**
 * The drill's HTTP client: one chat request to the gateway, classified into a drill step from
 * `x-bulwark-served-by` and `x-bulwark-fallback-depth`. A connection failure *before any
 * response* (refused, reset, socket closed — a gateway restarting) is retried after a short
 * pause until the request's own signal (its timeout) ends it, as a client behind a load
 * balancer would; once a response has started nothing is retried.
 */
import { Pool } from 'undici';
import { type Clock, sleep, systemClock } from '../../core/clock.js';
import type { DrillAnswer } from './target.js';
import { drillPrompt, stepOf } from './target.js';
import { isJsonText } from '../load/http-sender.js';

/** Pause between reconnect attempts while the gateway is down (ms). */
export const RECONNECT_DELAY_MS = 50;
/** Connection failures that mean "no server is taking requests right now". */
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export interface DrillSenderOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  model: string;
  /** Times the reconnect pauses. Default the system clock. */
  clock?: Clock;
}

function codeOf(error: unknown): string {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) if (typeof e.code === 'string') return e.code;
  return (error as Error)?.name ?? 'error';
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A drill sender over a keep-alive pool; `close()` when done. */
export function drillHttpSender(options: DrillSenderOptions) {
  const pool = new Pool(new URL(options.url).origin, { connections: 256, pipelining: 1 });
  const clock = options.clock ?? systemClock;
  const once = async (index: number, stream: boolean, signal: AbortSignal): Promise<DrillAnswer> => {
    const body = JSON.stringify({ model: options.model, messages: [{ role: 'user', content: drillPrompt(index) }], max_tokens: 64, stream });
    const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body, signal });
    const servedBy = header(response.headers['x-bulwark-served-by']);
    const depth = Number(header(response.headers['x-bulwark-fallback-depth']) ?? 0);
    if (response.statusCode !== 200) {
      await response.body.text().catch(() => '');
      return { step: 'error', status: response.statusCode, error: `http_${response.statusCode}` };
    }
    if (!stream) {
      // A 200 the caller cannot parse is neither an answer nor a clear error.
      if (!isJsonText(await response.body.text())) return { step: 'lost', servedBy, status: 200, error: 'malformed_body' };
      return { step: stepOf(servedBy ?? 'unknown', depth), servedBy, status: 200 };
    }
    let tail = '';
    try {
      for await (const chunk of response.body) {
        tail = (tail + (chunk as Buffer).toString('utf8')).slice(-2048);
        if (/\n(event: error|data: \{"error")/.test(tail) || /^(event: error|data: \{"error")/.test(tail)) {
          return { step: 'error', status: 200, servedBy, error: 'stream_error_event' };
        }
      }
    } catch (error) {
      if (signal.aborted) throw error;
    }
    // A stream without its terminal event and without an error event: the client cannot tell what happened.
    if (!/data: \[DONE\]\s*$/.test(tail)) return { step: 'lost', status: 200, servedBy, error: 'stream_incomplete' };
    return { step: stepOf(servedBy ?? 'unknown', depth), servedBy, status: 200 };
  };

  const send = async (index: number, stream: boolean, signal: AbortSignal): Promise<DrillAnswer> => {
    for (;;) {
      try {
        return await once(index, stream, signal);
      } catch (error) {
        if (signal.aborted) return { step: 'lost', status: 0, error: 'timeout' };
        const code = codeOf(error);
        if (!RETRYABLE.has(code)) return { step: 'lost', status: 0, error: code };
        try {
          await sleep(clock, RECONNECT_DELAY_MS, signal);
        } catch {
          return { step: 'lost', status: 0, error: `timeout_after_${code}` };
        }
      }
    }
  };
  return { send, close: () => pool.close() };
}
