import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentFor, shippedConfigs } from '../../../test/gateway/shipped-configs.js';
import { ENV_REFERENCE_PATTERN, JSON_SCHEMA_PATH } from './json-schema.js';

// The shipped JSON Schema (what an editor checks) and `bulwark config check` (what the gateway
// checks) must agree: every config we ship passes both, and the same edits pass or fail both.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

const validate = addFormats.default(new Ajv2020({ allErrors: true, strict: false })).compile(JSON.parse(readFileSync(JSON_SCHEMA_PATH, 'utf8')));
const schemaAccepts = (text: string) => validate(parse(text)) || (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ');

let dir: string;
let n = 0;
/** `bulwark config check` (the compiled CLI) on `text`: true, or what it printed. */
async function checkAccepts(text: string): Promise<true | string> {
  const file = join(dir, `config-${++n}.yaml`);
  await writeFile(file, text);
  const env = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...environmentFor(text) };
  return run(process.execPath, [join(ROOT, 'bin', 'bulwark.js'), 'config', 'check', file], { env }).then(
    () => true,
    (error: { stderr: string; stdout: string }) => error.stderr || error.stdout,
  );
}

const MINIMAL = `providers:
  p: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY:-}" }
modelGroups:
  g: { deployments: [ { id: d, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
`;

describe('config/bulwark.schema.json accepts what `bulwark config check` accepts', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-schema-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const configs = shippedConfigs();
  it('finds the configs we ship (templates, default, examples, ConfigMaps)', () => {
    expect(configs.map((c) => c.name)).toEqual(expect.arrayContaining(['config/default.yaml', 'templates/resilience/multi-region-ha.yaml']));
    expect(configs.some((c) => c.name.includes('ConfigMap'))).toBe(true);
  });

  it.each(configs.map((c) => [c.name, c.text] as const))('%s passes the JSON Schema (ajv) and config check', async (_name, text) => {
    expect(schemaAccepts(text)).toBe(true);
    expect(await checkAccepts(text)).toBe(true);
  });

  // Edits of a valid config, each accepted or refused by both alike.
  const EDITS: Array<[string, string, boolean]> = [
    ['a ${VAR} base URL', MINIMAL.replace('"https://api.openai.com/v1"', '"${UPSTREAM_URL}/v1"'), true],
    ['a ${VAR:-default} base URL', MINIMAL.replace('"https://api.openai.com/v1"', '"${UPSTREAM_URL:-https://api.openai.com}/v1"'), true],
    ['a ${VAR} duration', `${MINIMAL}policies: { attemptTimeoutMs: "\${ATTEMPT_TIMEOUT:-30s}" }\n`, true],
    ['a ${VAR} key digest', `${MINIMAL}auth: { keys: [ { tenant: t, sha256: "\${KEY_SHA256}" } ] }\n`, true],
    ['a URL that is not http(s)', MINIMAL.replace('"https://api.openai.com/v1"', '"ftp://example.com"'), false],
    ['a duration that is not one', `${MINIMAL}policies: { attemptTimeoutMs: "soon" }\n`, false],
    ['a digest that is not 64 hex digits', `${MINIMAL}auth: { keys: [ { tenant: t, sha256: "abc" } ] }\n`, false],
    // Numbers take references too: the substituted text is coerced, then checked.
    ['a ${VAR} port', `${MINIMAL}server: { port: "\${PORT:-8080}" }\n`, true],
    ['a ${VAR} boolean', `${MINIMAL}tracing: { enabled: "\${TRACING:-false}" }\n`, true],
    ['a quoted number that is not a reference', `${MINIMAL}server: { port: "8080" }\n`, false],
    ['a duration of 30 days in ms (longer than a timer)', `${MINIMAL}policies: { breaker: { openMs: 2592000000 } }\n`, false],
    ['a typo in alerts', `${MINIMAL}alerts: { evaluteEvery: 5s }\n`, false],
    ['a body limit of 1 GiB', `${MINIMAL}server: { bodyLimit: 1GiB }\n`, false],
    ['an unknown field', `${MINIMAL}unknownSection: {}\n`, false],
    ['a provider type that does not exist', MINIMAL.replace('type: openai', 'type: nonesuch'), false],
  ];
  it.each(EDITS)('%s: both agree', async (_what, text, valid) => {
    const [schema, check] = [schemaAccepts(text), await checkAccepts(text)];
    expect({ schema: schema === true, check: check === true }).toEqual({ schema: valid, check: valid });
  });

  it('the reference pattern is the one interpolation substitutes', () => {
    const reference = new RegExp(ENV_REFERENCE_PATTERN);
    expect(['${A}', 'x${A_1:-y}z', '${_B:-}'].every((s) => reference.test(s))).toBe(true);
    expect(['$A', '${1A}', '{A}', '${A'].some((s) => reference.test(s))).toBe(false);
  });
});
