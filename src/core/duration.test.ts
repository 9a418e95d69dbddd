import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    [250, 250],
    ['250', 250],
    ['250ms', 250],
    ['60s', 60_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
  ] as const)('%s → %i ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'soon', '10 parsecs', '5x', 's5', '1m 30s', '-5s'])('rejects %j with the field name', (input) => {
    expect(() => parseDuration(input, 'breaker.openMs')).toThrow(/breaker\.openMs/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
    expect(() => parseDuration(Number.NaN)).toThrow();
  });
});
