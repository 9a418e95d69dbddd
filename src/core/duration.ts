import { InvalidOptionsError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Parses a duration given as milliseconds (number) or as a string such as `"250ms"`, `"60s"`,
 * `"5m"`, `"1h30m"` or `"1.5s"`. Throws InvalidOptionsError naming `field` on anything else.
 *
 * @example parseDuration('1m30s') // 90_000
 */
export function parseDuration(value: number | string, field = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new InvalidOptionsError(`${field}: expected a non-negative number of milliseconds, got ${value}`);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(PART)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new InvalidOptionsError(`${field}: cannot read '${value}' as a duration (examples: 250ms, 60s, 5m, 1h30m)`);
  }
  return total;
}
