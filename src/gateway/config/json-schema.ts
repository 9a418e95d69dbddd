import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { gatewayConfigSchema } from './schema.js';

/** Where the generated schema is shipped (editors point `$schema` / yaml-language-server at it). */
export const JSON_SCHEMA_PATH = fileURLToPath(new URL('../../../config/bulwark.schema.json', import.meta.url));

/** The JSON Schema of `bulwark.yaml`, generated from the same zod schema the gateway validates with. */
export function buildJsonSchema(): string {
  const schema = z.toJSONSchema(gatewayConfigSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

// `npm run schema` regenerates config/bulwark.schema.json.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await writeFile(JSON_SCHEMA_PATH, buildJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}
