import { InvalidOptionsError } from './errors.js';

/**
 * Option checks shared by every policy. They run once, when a policy is built, and name the
 * policy, the field and the bad value: `retry: maxAttempts must be an integer >= 1 (got 0)`.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

function fail(policy: string, field: string, rule: string, value: unknown): never {
  throw new InvalidOptionsError(`${policy}: ${field} ${rule} (got ${show(value)})`);
}

/** An integer ≥ `min` (Infinity allowed when `allowInfinity`). */
export function checkInteger(policy: string, field: string, value: unknown, min: number, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(policy, field, `must be an integer >= ${min}`, value);
  if (value === Infinity && allowInfinity) return value;
  if (!Number.isInteger(value) || value < min) fail(policy, field, `must be an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}`, value);
  return value;
}

/** A finite number ≥ `min` (Infinity allowed when `allowInfinity`). */
export function checkNumber(policy: string, field: string, value: unknown, min: number, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (value === Infinity && !allowInfinity)) {
    fail(policy, field, `must be a ${allowInfinity ? '' : 'finite '}number >= ${min}`, value);
  }
  return value;
}

/** A number in (0, 1] (or [0, 1] when `allowZero`). */
export function checkRatio(policy: string, field: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value > 1 || value < 0 || (!allowZero && value === 0)) {
    fail(policy, field, `must be a number in ${allowZero ? '[0' : '(0'}, 1]`, value);
  }
  return value;
}

/** A function. */
export function checkFunction<F>(policy: string, field: string, value: unknown): F {
  if (typeof value !== 'function') fail(policy, field, 'must be a function', value);
  return value as F;
}

/** One of the listed strings. */
export function checkOneOf<S extends string>(policy: string, field: string, value: unknown, allowed: readonly S[]): S {
  if (!allowed.includes(value as S)) fail(policy, field, `must be one of ${allowed.join(', ')}`, value);
  return value as S;
}

/** Throws the catalog error with the standard message shape, for checks the helpers do not cover. */
export function invalidOption(policy: string, field: string, rule: string, value: unknown): never {
  fail(policy, field, rule, value);
}
