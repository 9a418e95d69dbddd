import { InvalidOptionsError } from '../errors.js';

/** Checks `value` is an integer in [min, max]; the error names `field` and the bad value. */
export function checkInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(`${field} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** Checks `value` is a number in [min, max] (Infinity allowed only if max is Infinity). */
export function checkNumber(field: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new InvalidOptionsError(`${field} must be a number in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** Checks `value` is a rate in (0, 1]. */
export function checkRate(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new InvalidOptionsError(`${field} must be a number in (0, 1], got ${describe(value)}`);
  }
  return value;
}

/** A bad value as shown in an error message (strings quoted, objects as JSON). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return String(typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
  } catch {
    return String(value);
  }
}
