import type { z } from 'zod';
import { SECRET_FIELD } from '../secrets/config-secrets.js';
import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';

/** Values that came from `${VAR}` references, by path (see `interpolate.ts`). */
export type References = ReadonlyMap<string, { written: string; value: unknown }>;

/**
 * How a bad value is shown after "got": as written when it is a literal, by its reference when
 * it came from the environment (`the value of ${PORT}`: never the value), by its kind when the
 * field holds a secret.
 */
export function shownValue(path: string, value: unknown, references: References): string {
  const reference = references.get(path);
  if (reference !== undefined) return `the value of ${reference.written}`;
  const key = /([A-Za-z_$][\w$-]*)$/.exec(path)?.[1] ?? '';
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (SECRET_FIELD.test(key)) return `a ${typeof value}`;
  // A URL with user info may hold a password: never quoted.
  if (typeof value === 'string' && /:\/\/[^/?#]*@/.test(value)) return 'a URL with credentials (not shown)';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

const KIND: Record<string, string> = {
  number: 'a number', int: 'an integer', string: 'a string', boolean: 'true or false', array: 'a list', object: 'a mapping', record: 'a mapping',
};

/**
 * One zod issue as a config problem, in the one message format: `must be …, got …` (zod's own
 * wording is replaced; messages the schema sets are kept and get the value they refused).
 */
export function describeIssue(issue: z.core.$ZodIssue, references: References, prefix: PropertyKey[] = []): ConfigProblem {
  const at = [...prefix, ...issue.path];
  const path = formatPath(at);
  const input = (issue as { input?: unknown }).input;
  const got = () => shownValue(path, input, references);
  const own = /^(must|is |needs|a |an |at least|expected)/.test(issue.message);
  // A mapping or a list is not quoted back (a refinement of a whole section names what is wrong itself).
  const scalar = input === undefined || input === null || typeof input !== 'object';
  const withGot = (message: string) => ({ path, message: message.includes(', got ') || !scalar ? message : `${message}, got ${got()}` });
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { path, message: `is required (expected ${KIND[issue.expected] ?? issue.expected})` };
      return withGot(`must be ${KIND[issue.expected] ?? issue.expected}`);
    case 'unrecognized_keys':
      return { path, message: `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
    case 'too_small':
      if (own) return issue.origin === 'array' ? { path, message: issue.message } : withGot(issue.message);
      if (issue.origin === 'array' || issue.origin === 'string') return withGot(`must have at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'item' : 'character'}${Number(issue.minimum) === 1 ? '' : 's'}`);
      return withGot(`must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`);
    case 'too_big':
      if (own) return withGot(issue.message);
      if (issue.origin === 'array' || issue.origin === 'string') return withGot(`must have at most ${String(issue.maximum)} ${issue.origin === 'array' ? 'items' : 'characters'}`);
      return withGot(`must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`);
    case 'invalid_value':
      return withGot(`must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
    case 'invalid_format':
      if (own) return withGot(issue.message);
      return withGot(issue.format === 'url' ? 'must be an absolute http(s) URL' : `must be ${issue.format === 'regex' ? 'text of the expected form' : `a valid ${issue.format}`}`);
    case 'invalid_union': {
      // Durations and sizes are unions (number | text): the branch of the value's own type speaks.
      const branches = issue.errors.map((errors) => errors[0]).filter((e): e is z.core.$ZodIssue => e !== undefined);
      const chosen = branches.find((e) => e.code !== 'invalid_type') ?? branches[branches.length - 1];
      if (chosen) return describeIssue({ ...chosen, input: (chosen as { input?: unknown }).input ?? input } as z.core.$ZodIssue, references, at);
      return withGot(issue.message.startsWith('Invalid') ? 'must be one of the documented forms' : issue.message);
    }
    default:
      return own ? withGot(issue.message) : { path, message: issue.message };
  }
}

/**
 * Removes every substituted value from the messages (a rule that quotes a value, or a check of
 * serve's that does, never shows what a `${VAR}` held): it is replaced by its reference. Values
 * shorter than 8 characters are left (they would be replaced inside ordinary words: an id
 * `cache` in "must not be cache…"); the `got` of a referenced field never shows them anyway.
 */
export function hideReferencedValues(problems: ConfigProblem[], references: References): ConfigProblem[] {
  const values = [...references.values()].filter((r) => typeof r.value === 'string' && r.value.length >= 8) as Array<{ written: string; value: string }>;
  if (values.length === 0) return problems;
  return problems.map((p) => {
    let message = p.message;
    for (const { written, value } of values) message = message.split(value).join(written);
    return { path: p.path, message };
  });
}
