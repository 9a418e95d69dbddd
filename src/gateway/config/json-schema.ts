import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { gatewayConfigSchema } from './schema.js';

/** Where the generated schema is shipped (editors point `$schema` / yaml-language-server at it). */
export const JSON_SCHEMA_PATH = fileURLToPath(new URL('../../../config/bulwark.schema.json', import.meta.url));

/**
 * A string holding at least one `${NAME}` or `${NAME:-fallback}` reference: `config check`
 * substitutes it from the environment before validating (interpolate.ts), so the file itself may
 * carry a reference wherever a constrained string goes (a URL, a duration, a digest, an enum…).
 */
export const ENV_REFERENCE_PATTERN = '\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\\}';

type JsonSchema = { [key: string]: unknown };
/** Keys that only document a schema: they stay on the outside when a node is wrapped. */
const ANNOTATIONS = ['description', 'default', 'title', 'examples', 'deprecated'];
const CONSTRAINTS = ['pattern', 'format', 'enum', 'const', 'minLength', 'maxLength'];

/**
 * Lets every constrained string value also be an environment reference, as `config check`
 * accepts it: `{ type: string, format: uri }` becomes `{ anyOf: [that, reference] }`. Object keys
 * are never interpolated, so `propertyNames` stays as it is. Numbers and booleans accept a
 * reference as well (`port: "${PORT}"`): `config check` coerces the substituted text, then
 * checks its bounds.
 */
function allowEnvReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowEnvReferences);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) out[key] = key === 'propertyNames' ? value : allowEnvReferences(value);
  const constrained = (out.type === 'string' || 'enum' in out || 'const' in out) && CONSTRAINTS.some((k) => k in out);
  // Numbers and booleans take a reference too: `config check` substitutes it, then coerces ("8080" → 8080).
  const scalar = out.type === 'number' || out.type === 'integer' || out.type === 'boolean';
  if (!constrained && !scalar) return out;
  const outer: JsonSchema = {};
  const inner: JsonSchema = {};
  for (const [key, value] of Object.entries(out)) (ANNOTATIONS.includes(key) ? outer : inner)[key] = value;
  return { ...outer, anyOf: [inner, { type: 'string', pattern: ENV_REFERENCE_PATTERN }] };
}

/**
 * zod checks a URL's protocol (`z.url({ protocol: /^https?$/ })`), which `format: uri` alone does
 * not say: the protocol becomes a pattern too, so an editor refuses `ftp://…` as config check does.
 */
function urlProtocolPattern(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { format?: string; protocol?: unknown } } })._zod?.def;
  if (def?.format !== 'url' || !(def.protocol instanceof RegExp)) return;
  const protocol = def.protocol.source.replace(/^\^/, '').replace(/\$$/, '');
  ctx.jsonSchema.pattern = `^(?:${protocol}):`;
}

/**
 * The JSON Schema of `bulwark.yaml`, generated from the same zod schema the gateway validates
 * with, accepting `${VAR}` references where `config check` does (see {@link ENV_REFERENCE_PATTERN}).
 * Cross-references (a route naming a model group that exists) are `config check`'s alone.
 */
export function buildJsonSchema(): string {
  const schema = z.toJSONSchema(gatewayConfigSchema, { io: 'input', target: 'draft-2020-12', override: urlProtocolPattern });
  return `${JSON.stringify(allowEnvReferences(schema), null, 2)}\n`;
}

// `npm run schema` regenerates config/bulwark.schema.json.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await writeFile(JSON_SCHEMA_PATH, buildJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}
