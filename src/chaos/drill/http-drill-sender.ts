/**
 * The drill's HTTP client: one chat request to the gateway, classified into a drill step from
 * `x-bulwark-served-by` and `x-bulwark-fallback-depth`. A connection failure *before any
 * response* (refused, reset, socket closed — a gateway restarting) is retried after a short
 * pause until the request's own signal (its timeout) ends it, as a client behind a load
 * balancer would; once a response has started nothing is retried.
 */
import { Pool } from 'undici';
import { type Clock, systemClock } from '../../core/clock.js';
import type { DrillAnswer } from './target.js';
import { drillPrompt, stepOf } from './target.js';
import { errorCode, GaveUpReconnecting, retryConnectionFailures } from '../load/connection-retry.js';
import { errorCodeSuffix, isJsonText } from '../load/http-sender.js';

export interface DrillSenderOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  model: string;
  /** Times the reconnect pauses. Default the system clock. */
  clock?: Clock;
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
      const text = await response.body.text().catch(() => '');
      return { step: 'error', status: response.statusCode, error: `http_${response.statusCode}${errorCodeSuffix(text)}` };
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
    try {
      return await retryConnectionFailures(() => once(index, stream, signal), signal, clock);
    } catch (error) {
      if (error instanceof GaveUpReconnecting) return { step: 'lost', status: 0, error: `timeout_after_${error.lastCode}` };
      if (signal.aborted) return { step: 'lost', status: 0, error: 'timeout' };
      return { step: 'lost', status: 0, error: errorCode(error) };
    }
  };
  return { send, close: () => pool.close() };
}
