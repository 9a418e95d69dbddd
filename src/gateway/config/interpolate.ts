import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';
import type { ValueKind } from './value-kinds.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Options of {@link interpolateEnv}. */
export interface InterpolateOptions {
  /**
   * Filled with every value that held a reference: its path → the text as written (`${PORT}`)
   * and the substituted value, so messages can name the reference and never show the value.
   */
  references?: Map<string, { written: string; value: unknown }>;
  /** What the field at a path accepts: a substituted `"8080"` becomes 8080 where only a number (or a duration) fits. */
  kindsAt?: (path: ReadonlyArray<PropertyKey>) => Set<ValueKind>;
}

/**
 * Replaces `${NAME}` (required) and `${NAME:-fallback}` (optional) in every string value of a
 * parsed config, in place of the raw text so YAML quoting can never be broken by a value.
 * A missing required variable is a problem at the value's path; the value itself is never
 * reported (it may be a secret). A substituted value that is a number (or `true`/`false`) is
 * coerced where the field takes a number (or a boolean) and no string: the schema then checks it.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], options: InterpolateOptions = {}, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    let referenced = false;
    const text = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      referenced = true;
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({
        path: formatPath(path),
        message: `environment variable ${name} is not set (write \${${name}:-} to allow it to be empty)`,
      });
      return '';
    });
    if (!referenced) return text;
    const out = coerce(text, options.kindsAt?.(path));
    options.references?.set(formatPath(path), { written: value, value: out });
    return out;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, problems, options, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, problems, options, [...path, key]);
    return out;
  }
  return value;
}

function coerce(text: string, kinds: Set<ValueKind> | undefined): unknown {
  if (kinds === undefined) return text;
  const trimmed = text.trim();
  if (kinds.has('number') && NUMBER.test(trimmed)) return Number(trimmed);
  if (kinds.has('boolean') && !kinds.has('string') && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}
