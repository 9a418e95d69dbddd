import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { ConfigError } from './problems.js';
import { toRouterConfig } from './to-router-config.js';
import { buildJsonSchema, JSON_SCHEMA_PATH } from './json-schema.js';
import { parseDuration, parseSize } from './duration.js';

const MINIMAL = `
providers:
  openai: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY}" }
modelGroups:
  gpt4: { deployments: [ { id: oai-gpt4, provider: openai, model: gpt-4o } ] }
  gpt35: { deployments: [ { id: oai-gpt35, provider: openai, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [gpt4, gpt35] }
`;
const env = { OPENAI_API_KEY: 'sk-test' };

function problemsOf(text: string, e: NodeJS.ProcessEnv = env): string[] {
  try {
    parseConfig(text, { env: e });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('gateway config', () => {
  it('fills in the course defaults (breaker 5 failures / 60 s) and the server defaults', () => {
    const config = parseConfig(MINIMAL, { env });
    expect(config.policies.breaker).toEqual({ failureThreshold: 5, openMs: 60_000, halfOpenMaxCalls: 1 });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 4000, bodyLimit: 33_554_432, shutdownGraceMs: 30_000 });
    expect(config.providers.openai.apiKey).toBe('sk-test');
  });

  it('lists every problem with its path, in one error', () => {
    const problems = problemsOf(`
providers:
  openai: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${MISSING_KEY}" }
  odd: { type: cohere, baseUrl: "ftp://x" }
modelGroups:
  gpt4: { deployments: [ { id: a, provider: openai, model: gpt-4o, policies: { breaker: { openMs: "60 parsecs" } } } ] }
  gpt35: { deployments: [ { id: a, provider: opena, model: m } ], balancr: round-robin }
routes:
  - { name: gpt-4, chain: [gpt4, gpt5] }
  - { name: gpt-4, chain: [] }
server: { host: 0.0.0.0, bodyLimit: "lots" }
`, {});
    expect(problems).toEqual(expect.arrayContaining([
      'providers.openai.apiKey: environment variable MISSING_KEY is not set (write ${MISSING_KEY:-} to allow it to be empty)',
      'providers.odd.type: must be one of "openai", "azure", "anthropic", "gemini", "vertex", "bedrock", got "cohere"',
      'modelGroups.gpt4.deployments[0].policies.breaker.openMs: must be a duration such as 250ms, 60s, 5m or 1h, got "60 parsecs"',
      "modelGroups.gpt35: unknown field 'balancr'",
      "modelGroups.gpt35.deployments[0].provider: unknown provider 'opena' (known: openai, odd)",
      "modelGroups.gpt35.deployments[0].id: duplicate deployment id 'a' (also at modelGroups.gpt4.deployments[0])",
      "routes[0].chain[1]: unknown model group 'gpt5' (known: gpt4, gpt35)",
      'routes[1].chain: a route needs at least one model group in its chain',
      "routes[1].name: duplicate route name 'gpt-4' (also routes[0])",
      'server.bodyLimit: must be a size such as 1048576, 512KiB or 1MiB, got "lots"',
      'providers.odd.baseUrl: must be an absolute http(s) URL, got "ftp://x"',
    ]));
    expect(problems.some((p) => p.startsWith('server.host: binding to \'0.0.0.0\' needs gateway keys'))).toBe(true);
    expect(problems.some((p) => p.startsWith('providers.odd.baseUrl'))).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(12);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('routes: [\n  - oops: [')[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reports missing sections as required', () => {
    expect(problemsOf('server: { port: 1 }')).toEqual(expect.arrayContaining(['providers: is required (expected a mapping)', 'routes: is required (expected a list)']));
  });

  it('accepts JSON, durations as numbers or text, sizes as numbers or text', () => {
    const json = JSON.stringify({
      providers: { o: { type: 'openai', baseUrl: 'http://127.0.0.1:1/v1' } },
      modelGroups: { g: { deployments: [{ id: 'd', provider: 'o', model: 'm' }] } },
      routes: [{ name: 'r', chain: ['g'], totalTimeoutMs: '2m' }],
      policies: { attemptTimeoutMs: 1500, breaker: { openMs: '1m30s'.length ? '90s' : 0 } },
      server: { bodyLimit: '512KiB', shutdownGraceMs: '5s' },
    });
    const config = parseConfig(json, { env: {} });
    expect(config.routes[0].totalTimeoutMs).toBe(120_000);
    expect(config.policies.attemptTimeoutMs).toBe(1500);
    expect(config.policies.breaker.openMs).toBe(90_000);
    expect(config.server.bodyLimit).toBe(524_288);
    expect(config.server.shutdownGraceMs).toBe(5000);
    expect([parseDuration('250ms'), parseDuration('1.5s'), parseDuration('5m'), parseDuration('1h'), parseDuration('x')]).toEqual([250, 1500, 300_000, 3_600_000, undefined]);
    expect([parseSize('1MiB'), parseSize('2kb'), parseSize(10), parseSize('big')]).toEqual([1_048_576, 2000, 10, undefined]);
  });

  it('never echoes secret values in problems', () => {
    const problems = problemsOf(MINIMAL.replace('apiKey: "${OPENAI_API_KEY}"', 'apiKey: 12345'), env);
    expect(problems.join('\n')).not.toContain('sk-test');
  });

  it('translates into the router config: mocks stand in for providers without keys', () => {
    const config = parseConfig(`
mocks: { demo: { profile: flaky } }
providers:
  real: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY:-}", mock: { name: demo, deployment: primary } }
  claude: { type: anthropic, mock: demo }
modelGroups:
  g: { deployments: [ { id: d, provider: real, model: gpt-4o } ] }
  c: { deployments: [ { id: e, provider: claude, model: claude-sonnet-4-5 } ] }
routes: [ { name: r, chain: [g, c] } ]
defaultResponse: "busy"
`, { env: {} });
    const resolve = (name: string, deployment: string | undefined, dialect: string) => `http://mock/${name}/${deployment ?? '-'}/${dialect}`;
    const { router, mockedProviders } = toRouterConfig(config, resolve);
    expect(mockedProviders).toEqual(['real', 'claude']);
    expect(router.providers.real).toMatchObject({ type: 'openai', baseUrl: 'http://mock/demo/primary/openai' });
    expect(router.providers.claude).toMatchObject({ type: 'anthropic', baseUrl: 'http://mock/demo/-/anthropic' });
    expect(router.routes[0].defaultResponse).toBe('busy');

    const withKey = toRouterConfig(parseConfig(`
providers:
  real: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY:-}", mock: demo }
mocks: { demo: {} }
modelGroups: { g: { deployments: [ { id: d, provider: real, model: gpt-4o } ] } }
routes: [ { name: r, chain: [g] } ]
`, { env: { OPENAI_API_KEY: 'sk-live' } }), resolve);
    expect(withKey.mockedProviders).toEqual([]);
    expect(withKey.router.providers.real).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-live' });
  });

  it('reports an invalid embedded mock profile at its path', () => {
    const problems = problemsOf(`${MINIMAL}\nmocks: { demo: { profile: no-such-preset } }\n`);
    expect(problems.some((p) => p.startsWith('mocks.demo.profile: ') && p.includes('unknown preset'))).toBe(true);
  });

  it('ships config/bulwark.schema.json equal to the one generated from the zod schema (npm run schema)', async () => {
    expect(await readFile(JSON_SCHEMA_PATH, 'utf8')).toBe(buildJsonSchema());
  });
});
