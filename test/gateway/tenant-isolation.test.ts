import { afterEach, describe, expect, it } from 'vitest';
import { FloodProcess } from './flood-process.js';
import { hashKey } from '../../src/gateway/auth.js';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createLogger } from '../../src/gateway/logger.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { TEST_REDIS_URL, uniquePrefix, deleteKeys } from '../../src/state/test-support.js';

// A slow-ish upstream (400 ms) behind a deployment that runs 6 calls at once (queue 0): the
// deployment is the shared resource, so what a tenant can take of it is what the test measures.
const SERVICE_MS = 400;
const config = (extra = '') => parseConfig(`
server: { port: 0 }
logging: { level: silent }
mocks:
  m: { profile: { default: { latency: { kind: fixed, ms: ${SERVICE_MS} } } } }
providers:
  p: { type: openai, mock: { name: m, deployment: primary } }
modelGroups:
  g: { deployments: [ { id: primary, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
policies:
  retry: { maxAttempts: 1 }
  bulkhead: { maxConcurrent: 6, maxQueued: 0 }
auth:
  keys:
    - { tenant: calm, sha256: "${hashKey('key-calm')}" }
    - { tenant: flood, sha256: "${hashKey('key-flood')}" }
${extra}`);
const QUOTAS = 'tenants: { flood: { maxConcurrent: 3 } }';

interface Outcome { status: number; ms: number; retryAfter: string | null; body: string }

const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.shutdown(0)));
});
async function start(extra: string): Promise<Gateway> {
  const gateway = await Gateway.start({ config: config(extra), createRouter: defaultRouterFactory, logger: createLogger('silent') });
  gateways.push(gateway);
  return gateway;
}

/** One request in the OpenAI or the Anthropic API. */
async function ask(gateway: Gateway, key: string, api: 'openai' | 'anthropic', text: string): Promise<Outcome> {
  const started = performance.now();
  const res = api === 'openai'
    ? await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: text }] }),
    })
    : await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4', max_tokens: 50, messages: [{ role: 'user', content: text }] }),
    });
  const body = await res.text();
  return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after'), body };
}

/** `clients` closed-loop clients, `each` requests apiece. */
async function clients(gateway: Gateway, key: string, api: 'openai' | 'anthropic', count: number, each: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  await Promise.all(Array.from({ length: count }, async (_, c) => {
    for (let i = 0; i < each; i++) out.push(await ask(gateway, key, api, `${key} ${c} ${i}`));
  }));
  return out;
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * q) - 1)];
const p99 = (values: number[]) => quantile(values, 0.99);
const median = (values: number[]) => quantile(values, 0.5);
const ROUNDS = 3;
const success = (list: Outcome[]) => list.filter((r) => r.status === 200).length / list.length;

describe('tenant isolation (gateway over sockets, two tenants)', () => {
  it('a flooding tenant held to its concurrency quota leaves the other one its latency and success rate', async () => {
    const gateway = await start(QUOTAS);
    const flooder = await FloodProcess.start(gateway.url, 'key-flood', 12);
    try {
      await clients(gateway, 'key-calm', 'openai', 3, 2); // warm the path the calm tenant takes
      // Alone and with the flood, interleaved (A F A F A F): on a shared machine, whatever load
      // others put on it falls on both sides; medians over 72 answers a side, not one tail sample.
      const alone: Outcome[] = [];
      const together: Outcome[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        alone.push(...(await clients(gateway, 'key-calm', 'openai', 3, 8)));
        await flooder.on(); // resolves once the quota has refused one: the flood holds its 3 slots
        together.push(...(await clients(gateway, 'key-calm', 'openai', 3, 8)));
        await flooder.off(); // resolves once no flood request is in flight
      }
      const flooded = await flooder.end();
      const ms = (list: Outcome[]) => list.map((r) => r.ms);

      console.log(`[tenants] calm alone: median ${median(ms(alone)).toFixed(0)} ms, p99 ${p99(ms(alone)).toFixed(0)} ms, success ${success(alone)}; ` +
        `with the flood: median ${median(ms(together)).toFixed(0)} ms, p99 ${p99(ms(together)).toFixed(0)} ms, success ${success(together)}; flood: ${JSON.stringify(flooded.byStatus)}`);
      expect(success(alone)).toBe(1);
      expect(success(together)).toBeGreaterThanOrEqual(0.9);
      expect(median(ms(together))).toBeLessThanOrEqual(1.1 * median(ms(alone)));

      // The flood was held to its quota: 429 + Retry-After, in the Anthropic format it spoke.
      expect(flooded.byStatus[429]).toBeGreaterThan(0);
      expect(Object.keys(flooded.byStatus).sort()).toEqual(['200', '429']);
      expect(Number(flooded.firstRefusal!.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(flooded.firstRefusal!.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringMatching(/Tenant flood has 3 requests running/) } });
    } finally {
      flooder.kill();
    }
  }, 120_000);

  it('without the quota the same flood takes the deployment from the other tenant (what the quota prevents)', async () => {
    const gateway = await start('');
    const flooder = await FloodProcess.start(gateway.url, 'key-flood', 12);
    try {
      await flooder.on(); // resolves once the full deployment refused a flood request
      const together = await clients(gateway, 'key-calm', 'openai', 3, 8);
      await flooder.off();
      expect(success(together)).toBeLessThan(0.9);
    } finally {
      flooder.kill();
    }
  }, 60_000);

  it('answers a token budget in the OpenAI format with Retry-After, and counts it as a tenant_quota rejection', async () => {
    const gateway = await start('tenants: { calm: { tpm: 5 } }');
    expect((await ask(gateway, 'key-calm', 'openai', 'use some tokens')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request event is counted after the answer
    const refused = await ask(gateway, 'key-calm', 'openai', 'and more');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused.body).error).toMatchObject({ type: expect.stringMatching(/rate_limit/), message: expect.stringMatching(/Tenant calm reached its 5 tokens per minute/) });
    expect((await ask(gateway, 'key-flood', 'openai', 'another tenant')).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^bulwark_rejections_total\{route="gpt-4",reason="tenant_quota"\} 1$/m);
  }, 30_000);

  it('holds a concurrency quota across two replicas sharing Redis', async () => {
    const prefix = uniquePrefix('tenants');
    try {
      const state = `state: { redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}", commandTimeoutMs: 2000 } }`;
      const [a, b] = [await start(`${QUOTAS}\n${state}`), await start(`${QUOTAS}\n${state}`)];
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(i % 2 === 0 ? a : b, 'key-flood', 'openai', `x ${i}`)));
      expect(answers.filter((r) => r.status === 200)).toHaveLength(3); // 3 for the cluster, not 3 per replica
      expect(answers.filter((r) => r.status === 429)).toHaveLength(5);
      expect((await ask(a, 'key-flood', 'openai', 'after')).status).toBe(200); // the leases were released
    } finally {
      await Promise.all(gateways.splice(0).map((g) => g.shutdown(0)));
      await deleteKeys(prefix);
    }
  }, 30_000);
});
