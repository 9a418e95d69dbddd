import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (required) and `${NAME:-fallback}` (optional) in every string value of a
 * parsed config, in place of the raw text so YAML quoting can never be broken by a value.
 * A missing required variable is a problem at the value's path; the value itself is never
 * reported (it may be a secret).
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({
        path: formatPath(path),
        message: `environment variable ${name} is not set (write \${${name}:-} to allow it to be empty)`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, problems, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}
