import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ENV_REFERENCE_PATTERN, JSON_SCHEMA_PATH } from './json-schema.js';

// The shipped JSON Schema (what an editor checks) and `bulwark config check` (what the gateway
// checks) must agree: every config we ship passes both, and the same edits pass or fail both.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every gateway config we ship: templates, the embedded default, examples, and the k8s ConfigMaps. */
function shippedConfigs(): Array<{ name: string; text: string }> {
  const configs = [
    ...yamlFiles(join(ROOT, 'templates')),
    join(ROOT, 'config', 'default.yaml'),
    // Examples that are gateway configs (the experiments beside them are another format).
    ...yamlFiles(join(ROOT, 'examples')).filter((file) => 'providers' in (parse(readFileSync(file, 'utf8')) ?? {})),
  ].map((file) => ({ name: relative(ROOT, file), text: readFileSync(file, 'utf8') }));
  for (const file of yamlFiles(join(ROOT, 'deploy'))) {
    // deploy/kubernetes ships the gateway config as files its kustomizations turn into the ConfigMap.
    if (file.endsWith('/bulwark.yaml')) {
      configs.push({ name: `${relative(ROOT, file)} (ConfigMap bulwark.yaml)`, text: readFileSync(file, 'utf8') });
      continue;
    }
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const manifest = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
      if (manifest?.kind === 'ConfigMap' && typeof manifest.data?.['bulwark.yaml'] === 'string') {
        configs.push({ name: `${relative(ROOT, file)} (ConfigMap bulwark.yaml)`, text: manifest.data['bulwark.yaml'] });
      }
    }
  }
  return configs;
}

/** A plausible value for each `${NAME}` without a fallback (config check needs them set). */
function environmentFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    env[name!] = /SHA256/.test(name!) ? 'a'.repeat(64) : /REDIS.*URL/.test(name!) ? 'redis://127.0.0.1:6379' : /URL/.test(name!) ? 'http://127.0.0.1:4010' : 'test-value';
  }
  return env;
}

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
    // A substituted value is a string: numbers do not take references (config check refuses them too).
    ['a ${VAR} port', `${MINIMAL}server: { port: "\${PORT}" }\n`, false],
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
