/**
 * Server hints. A provider that says "retry after N seconds" knows better than our backoff.
 */

/**
 * Parses an HTTP `Retry-After` value — delta-seconds (`"120"`, also fractional `"1.5"`) or an
 * HTTP date — into milliseconds from `nowMs`. Returns undefined when it cannot be parsed; a
 * date in the past gives 0.
 *
 * @example parseRetryAfter('2', Date.now()) // 2000
 * @example parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', clock.now())
 */
export function parseRetryAfter(value: string | number | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday/month; this keeps "-1" (a valid JS year) out.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function headerOf(headers: unknown): unknown {
  if (headers === null || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return (get as (name: string) => unknown).call(headers, 'retry-after');
  return (headers as Record<string, unknown>)['retry-after'];
}

/**
 * The wait, in ms, that an error asks for: its `retryAfterMs` number property, else its
 * `retryAfter` (seconds or HTTP date), else a `retry-after` entry of its `headers` (a Headers
 * object or a plain record). Undefined when the error carries no hint.
 *
 * @example retryAfterHintMs(Object.assign(new Error('429'), { retryAfterMs: 1500 }), Date.now()) // 1500
 */
export function retryAfterHintMs(error: unknown, nowMs: number): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const carrier = error as { retryAfterMs?: unknown; retryAfter?: unknown; headers?: unknown };
  if (typeof carrier.retryAfterMs === 'number' && Number.isFinite(carrier.retryAfterMs) && carrier.retryAfterMs >= 0) {
    return carrier.retryAfterMs;
  }
  const raw = carrier.retryAfter !== undefined ? carrier.retryAfter : headerOf(carrier.headers);
  if (typeof raw === 'string' || typeof raw === 'number') return parseRetryAfter(raw, nowMs);
  return undefined;
}
