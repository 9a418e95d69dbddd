import type { z } from 'zod';

/** What a config field accepts, as far as `${VAR}` coercion cares. */
export type ValueKind = 'number' | 'boolean' | 'string' | 'other';

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/**
 * The kinds of value the schema accepts at `path` (a field of the parsed YAML), looking through
 * optional/default/pipe wrappers, unions, records and arrays. Used once per `${VAR}` reference,
 * so a substituted `"8080"` becomes the number a numeric field needs, while a string field (an
 * API key that happens to be digits) keeps its string.
 *
 * @example valueKinds(gatewayConfigSchema, ['server', 'port']); // Set { 'number' }
 */
export function valueKinds(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): Set<ValueKind> {
  const kinds = new Set<ValueKind>();
  walk(schema, path, kinds, 0);
  return kinds;
}

function walk(schema: unknown, path: ReadonlyArray<PropertyKey>, out: Set<ValueKind>, depth: number): void {
  if (depth > 64) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return walk(def.innerType, path, out, depth + 1);
    case 'pipe':
      return walk(def.in, path, out, depth + 1);
    case 'union':
      for (const option of def.options as unknown[]) walk(option, path, out, depth + 1);
      return;
    case 'object': {
      if (path.length === 0) return void out.add('other');
      const field = (def.shape as Record<string, unknown>)[String(path[0])];
      if (field !== undefined) walk(field, path.slice(1), out, depth + 1);
      return;
    }
    case 'record':
      if (path.length === 0) return void out.add('other');
      return walk(def.valueType, path.slice(1), out, depth + 1);
    case 'array':
      if (path.length === 0) return void out.add('other');
      return walk(def.element, path.slice(1), out, depth + 1);
    default:
      if (path.length > 0) return;
      out.add(def.type === 'number' || def.type === 'int' ? 'number' : def.type === 'boolean' ? 'boolean' : def.type === 'string' || def.type === 'enum' || def.type === 'literal' ? 'string' : 'other');
  }
}
