/**
 * Reading "wait this long" hints from upstream headers: `retry-after-ms`, `retry-after`
 * (seconds or HTTP date), OpenAI `x-ratelimit-reset-*` (Go-style durations such as `6m0s`) and
 * Anthropic `anthropic-ratelimit-*-reset` (RFC 3339 times).
 */

/** Response headers as undici gives them (lower-case keys) or a WHATWG `Headers`. */
export type HeaderBag = Record<string, string | string[] | undefined> | Headers;

/** Reads one header (case-insensitive for plain objects with lower-case keys). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    const value = (headers as Headers).get(name);
    return value === null ? undefined : value;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };

/**
 * Parses a Go-style duration (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) into ms; undefined if it is not one.
 *
 * @example parseDurationMs('6m0s') // 360000
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(DURATION_PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed += match[0].length;
  }
  return consumed === trimmed.length ? total : undefined;
}

function fromDate(text: string, now: number): number | undefined {
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const OPENAI_RESETS = ['requests', 'tokens'] as const;
const ANTHROPIC_RESETS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * The server's "retry after" hint in ms, or undefined when it gave none. For the per-limit reset
 * headers, the limits reported exhausted (remaining 0) win; otherwise the longest reset is used.
 *
 * @param now wall-clock ms (HTTP dates and RFC 3339 times are measured from it).
 */
export function parseRetryAfterMs(headers: HeaderBag, now: number): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headerValue(headers, 'retry-after');
  if (after !== undefined && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = fromDate(after, now);
    if (date !== undefined) return date;
  }
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const limit of OPENAI_RESETS) {
    const reset = headerValue(headers, `x-ratelimit-reset-${limit}`);
    const value = reset === undefined ? undefined : parseDurationMs(reset);
    if (value === undefined) continue;
    all.push(value);
    if (headerValue(headers, `x-ratelimit-remaining-${limit}`)?.trim() === '0') exhausted.push(value);
  }
  for (const limit of ANTHROPIC_RESETS) {
    const reset = headerValue(headers, `anthropic-ratelimit-${limit}-reset`);
    const value = reset === undefined ? undefined : fromDate(reset, now);
    if (value === undefined) continue;
    all.push(value);
    if (headerValue(headers, `anthropic-ratelimit-${limit}-remaining`)?.trim() === '0') exhausted.push(value);
  }
  const pick = exhausted.length > 0 ? exhausted : all;
  return pick.length > 0 ? Math.max(...pick) : undefined;
}
