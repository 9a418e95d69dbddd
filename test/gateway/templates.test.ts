import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { toRouterConfig } from '../../src/gateway/config/to-router-config.js';
import { DEFAULT_CONFIG_PATH } from '../../src/gateway/cli/serve-args.js';
import { createRouter } from '../../src/llm/router/create-router.js';

const DIR = fileURLToPath(new URL('../../templates/resilience/', import.meta.url));
const ENV = {
  OPENAI_API_KEY: 'sk-x', AZURE_EASTUS_KEY: 'a', AZURE_EASTUS2_KEY: 'b', AZURE_WESTEU_KEY: 'c', AZURE_KEY: 'd',
  OPENAI_KEY_A: 'e', OPENAI_KEY_B: 'f', ANTHROPIC_API_KEY: 'g', REDIS_URL: 'redis://127.0.0.1:6379',
  GEMINI_API_KEY: 'h', AWS_ACCESS_KEY_ID: 'AKIDX', AWS_SECRET_ACCESS_KEY: 'i', GOOGLE_SERVICE_ACCOUNT_JSON: '{}',
};
const EXPECTED = ['cross-cloud.yaml', 'default-chain.yaml', 'latency-sensitive-hedging.yaml', 'multi-region-ha.yaml', 'rate-limit-heavy.yaml'];
const noMock = () => {
  throw new Error('templates use real providers');
};

describe('resilience templates', () => {
  it('are the course material\'s four plus cross-cloud failover', async () => {
    expect((await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(EXPECTED);
  });

  for (const file of EXPECTED) {
    it(`${file}: explained in a comment header, valid, and accepted by the router`, async () => {
      const text = await readFile(`${DIR}${file}`, 'utf8');
      const header = text.split('\n').filter((line, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('#')));
      expect(header.length).toBeGreaterThanOrEqual(8);
      expect(header.join('\n')).toMatch(/bulwark serve --config templates\/resilience\//);
      const config = parseConfig(text, { source: file, env: ENV });
      const router = createRouter(toRouterConfig(config, noMock).router);
      try {
        expect(router.models().length).toBeGreaterThan(0);
      } finally {
        await router.close();
      }
    });
  }

  it('default-chain.yaml is the course chain: GPT-4 → GPT-3.5 → cache → default, breaker 5 failures / 60 s', async () => {
    const config = parseConfig(await readFile(`${DIR}default-chain.yaml`, 'utf8'), { env: ENV });
    const route = config.routes[0];
    expect(route.name).toBe('gpt-4');
    expect(route.chain.map((g) => config.modelGroups[g].deployments[0].model)).toEqual(['gpt-4', 'gpt-3.5-turbo']);
    expect(route.staleIfError).toBe(true);
    expect(route.defaultResponse).toBeTruthy();
    expect(config.policies.breaker).toMatchObject({ failureThreshold: 5, openMs: 60_000 });
  });

  it('latency-sensitive-hedging.yaml hedges, multi-region-ha.yaml uses priority tiers, rate-limit-heavy.yaml limits keys', async () => {
    const hedging = parseConfig(await readFile(`${DIR}latency-sensitive-hedging.yaml`, 'utf8'), { env: ENV });
    expect(hedging.modelGroups.chat.policies?.hedge).toEqual({ delayMs: 800, maxHedges: 1 });
    const ha = parseConfig(await readFile(`${DIR}multi-region-ha.yaml`, 'utf8'), { env: ENV });
    expect(new Set(ha.modelGroups.gpt4o.deployments.map((d) => d.priority))).toEqual(new Set([0, 1, 2]));
    expect(ha.state.redis?.url).toBe('redis://127.0.0.1:6379');
    const limits = parseConfig(await readFile(`${DIR}rate-limit-heavy.yaml`, 'utf8'), { env: ENV });
    expect(limits.auth.keys.every((k) => k.rpm !== undefined)).toBe(true);
  });

  it('the embedded default (npm start) is valid without any key, and uses real providers when keys exist', async () => {
    const text = await readFile(DEFAULT_CONFIG_PATH, 'utf8');
    const resolve = (name: string, deployment: string | undefined) => `http://mock/${name}/${deployment}`;
    const offline = toRouterConfig(parseConfig(text, { env: {} }), resolve);
    expect(offline.mockedProviders.length).toBe(Object.keys(offline.router.providers).length);
    expect(offline.router.routes.map((r) => r.name)).toEqual(['gpt-4', 'claude-sonnet']);
    const online = toRouterConfig(parseConfig(text, { env: { OPENAI_API_KEY: 'sk-real', ANTHROPIC_API_KEY: 'sk-ant' } }), resolve);
    expect(online.mockedProviders).toEqual([]);
    expect(online.router.providers['openai-primary']).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-real' });
    expect(online.router.providers['anthropic-primary']).toMatchObject({ baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant' });
  });
});

describe('cross-cloud.yaml', () => {
  it('chains four vendors on three clouds, and runs on the mock without any cloud account', async () => {
    const text = await readFile(`${DIR}cross-cloud.yaml`, 'utf8');
    const online = parseConfig(text, { env: ENV });
    const types = online.routes[0].chain.map((g) => online.providers[online.modelGroups[g].deployments[0].provider].type);
    expect(types).toEqual(['openai', 'bedrock', 'vertex', 'gemini']);
    const resolve = (name: string, deployment: string | undefined) => `http://mock/${name}/${deployment}`;
    const real = toRouterConfig(online, resolve);
    expect(real.mockedProviders).toEqual([]);
    expect(real.router.providers['bedrock-us-east-1']).toMatchObject({ type: 'bedrock', region: 'us-east-1', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com' });
    expect(real.router.providers['vertex-europe-west4']).toMatchObject({ type: 'vertex', baseUrl: 'https://europe-west4-aiplatform.googleapis.com', project: 'my-gcp-project' });
    expect(real.router.providers['ai-studio']).toMatchObject({ type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' });
    const offline = toRouterConfig(parseConfig(text, { env: {} }), resolve);
    expect(offline.mockedProviders.sort()).toEqual(['ai-studio', 'bedrock-us-east-1', 'openai', 'vertex-europe-west4']);
  });
});
