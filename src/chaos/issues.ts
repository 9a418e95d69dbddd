import type { z } from 'zod';

/**
 * One zod issue as `path: problem (got value)` — the toolkit's validation messages name the
 * field and, when it is a plain value, what was given. `root` prefixes the path
 * (`profile.default.errors.500`) and stands alone for an issue on the whole input.
 *
 * @example describeIssue(issue, input, 'profile') // 'profile.default.reset: Too small: … (got -1)'
 */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, root?: string): string {
  const path = [...(root === undefined ? [] : [root]), ...issue.path.map(String)].join('.') || '(input)';
  const value = valueAt(input, issue.path);
  return `${path}: ${issue.message}${value === undefined || typeof value === 'object' ? '' : ` (got ${JSON.stringify(value)})`}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
