/**
 * Small field checks shared by the dialect parsers and codecs. Each throws
 * `LlmError('invalid_request')` (refused before anything is sent upstream) with a message and a
 * `param` naming the field path, so the gateway can answer 400 as is.
 */
import { LlmError } from '../errors.js';
import { nestsDeeperThan } from '../json-nesting.js';

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** Throws an `invalid_request` LlmError naming `path` (message and `param`). */
export function invalid(path: string, problem: string): never {
  throw new LlmError('invalid_request', `Invalid request: '${path}' ${problem}`, { param: path });
}

/** Short description of a value for error messages (never echoes long content). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an object, else an `invalid_request` naming `path`. */
export function requireObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) invalid(path, `must be an object, got ${describe(value)}`);
  return value;
}

/** The value as an array, else an `invalid_request` naming `path`. */
export function requireArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) invalid(path, `must be an array, got ${describe(value)}`);
  return value;
}

/** The value as a string, else an `invalid_request` naming `path`. */
export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, `must be a string, got ${describe(value)}`);
  return value;
}

/** A string or undefined, else an `invalid_request` naming `path`. */
export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, path);
}

/** A boolean or undefined, else an `invalid_request` naming `path`. */
export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') invalid(path, `must be a boolean, got ${describe(value)}`);
  return value;
}

/** A finite number within [min, max], or undefined when absent. */
export function optionalNumber(value: unknown, path: string, min = -Infinity, max = Infinity): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, `must be a number, got ${describe(value)}`);
  if (value < min || value > max) invalid(path, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A positive integer, or undefined when absent. */
export function optionalPositiveInt(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    invalid(path, `must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** An integer, or undefined when absent. */
export function optionalInt(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) invalid(path, `must be an integer, got ${describe(value)}`);
  return value;
}

/**
 * Deepest nesting of objects/arrays accepted inside tool-call arguments (JSON text in a string,
 * which the body's own nesting check cannot see). Like the body's limit: real arguments stay far
 * below it; far deeper ones only exhaust the stack of the code that re-encodes them. Default 128.
 */
export const MAX_ARGUMENTS_NESTING = 128;

/** Throws `invalid_request` naming `path` when tool-call arguments nest deeper than {@link MAX_ARGUMENTS_NESTING}. */
export function checkArgumentsNesting(text: string, path: string): void {
  if (nestsDeeperThan(Buffer.from(text, 'utf8'), MAX_ARGUMENTS_NESTING)) invalid(path, `nests objects and arrays deeper than ${MAX_ARGUMENTS_NESTING} levels`);
}

/** Parses tool-call arguments (JSON text) into an object; throws `invalid_request` naming `path` if it is not one. */
export function parseArguments(text: string, path: string): JsonObject {
  if (text.trim() === '') return {};
  checkArgumentsNesting(text, path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    invalid(path, 'must be valid JSON text');
  }
  if (!isObject(value)) invalid(path, 'must encode a JSON object');
  return value;
}

/** Splits a `data:` URL into base64 payload and media type, or returns undefined for other URLs. */
export function splitDataUrl(url: string): { data: string; mediaType: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  const meta = url.slice(5, comma);
  if (comma < 0 || !meta.endsWith(';base64')) return undefined;
  return { mediaType: meta.slice(0, -7), data: url.slice(comma + 1) };
}
