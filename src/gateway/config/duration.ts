import { z } from 'zod';
import { MAX_DURATION_MS } from './limits.js';

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i;
const SIZE_UNIT_BYTES: Record<string, number> = {
  b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1_048_576, gb: 1_000_000_000, gib: 1_073_741_824,
};

/**
 * Parses a duration: a number of milliseconds, or a string such as `"250ms"`, `"60s"`, `"5m"`,
 * `"1h"`, `"7d"`. Returns undefined when the text is not a duration.
 *
 * @example parseDuration('60s'); // 60000
 */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNIT_MS[match[2]]);
}

/**
 * Parses a size in bytes: a number, or a string such as `"512KiB"`, `"1MiB"`, `"2mb"`.
 *
 * @example parseSize('1MiB'); // 1048576
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE_PATTERN.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SIZE_UNIT_BYTES[(match[2] ?? 'b').toLowerCase()]);
}

/** `1048576` → `1 MiB`, for messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1_073_741_824], ['MiB', 1_048_576], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/**
 * A number, or text in a unit (`"60s"`, `"1MiB"`) that `parse` reads: the value comes out as a
 * number, checked against [`min`, `max`] in both forms with the same `rule` message.
 */
function unitValue(number: z.ZodNumber, textPattern: RegExp, textRule: string, parse: (value: number | string) => number | undefined, bounds: { min: number; max: number; rule: string }) {
  const { min, max, rule } = bounds;
  return z
    .union([number.min(min, rule).max(max, rule), z.string().regex(textPattern, textRule)])
    .transform((value, ctx) => {
      const parsed = parse(value) as number;
      if (parsed >= min && parsed <= max) return parsed;
      ctx.addIssue({ code: 'custom', message: rule, input: value });
      return z.NEVER;
    });
}

/**
 * A duration in config: milliseconds as a number, or `"60s"`-style text. Output: milliseconds,
 * within [`min`, {@link MAX_DURATION_MS}] (every duration arms a timer; a longer one would fire
 * at once). `why` says what a value below `min` would do, for the message.
 *
 * @example durationMs({ min: 1 }).parse('30s'); // 30000
 */
export function durationMs(options: { min?: number; why?: string } = {}) {
  const min = options.min ?? 0;
  const rule = `must be ${min > 0 ? `at least ${min} ms${options.why ? ` (${options.why})` : ''} and at most` : 'a duration of at most'} ${MAX_DURATION_MS} ms (24.8 days, the longest timer)`;
  return unitValue(z.number(), DURATION_PATTERN, 'must be a duration such as 250ms, 60s, 5m or 1h', parseDuration, { min, max: MAX_DURATION_MS, rule })
    .meta({ description: 'Milliseconds as a number, or a string such as "250ms", "60s", "5m", "1h".' });
}

/** Any duration, 0 included (a delay that may be none). */
export const durationSchema = durationMs();
/** A duration of at least 1 ms (a timeout or an interval: 0 would mean none, or a busy loop). */
export const positiveDurationSchema = durationMs({ min: 1 });

/**
 * A size in config: bytes as a number, or `"1MiB"`-style text. Output: bytes, within [`min`, `max`].
 *
 * @example sizeBytes({ min: 1024, max: 256 * 1024 * 1024 }).parse('32MiB'); // 33554432
 */
export function sizeBytes(options: { min?: number; max?: number } = {}) {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const rule = options.max === undefined ? `must be at least ${formatBytes(min)}` : `must be between ${formatBytes(min)} and ${formatBytes(max)}`;
  return unitValue(z.int(), SIZE_PATTERN, 'must be a size such as 1048576, 512KiB or 1MiB', parseSize, { min, max, rule })
    .meta({ description: 'Bytes as a number, or a string such as "512KiB", "1MiB".' });
}
