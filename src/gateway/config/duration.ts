import { z } from 'zod';

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

/** A duration in config: milliseconds as a number, or `"60s"`-style text. Output: milliseconds. */
export const durationSchema = z
  .union([z.number().nonnegative(), z.string().regex(DURATION_PATTERN, 'expected a duration such as 250ms, 60s, 5m or 1h')])
  .transform((value) => parseDuration(value) as number)
  .meta({ description: 'Milliseconds as a number, or a string such as "250ms", "60s", "5m", "1h".' });

/** A size in config: bytes as a number, or `"1MiB"`-style text. Output: bytes. */
export const sizeSchema = z
  .union([z.int().nonnegative(), z.string().regex(SIZE_PATTERN, 'expected a size such as 1048576, 512KiB or 1MiB')])
  .transform((value) => parseSize(value) as number)
  .meta({ description: 'Bytes as a number, or a string such as "512KiB", "1MiB".' });
