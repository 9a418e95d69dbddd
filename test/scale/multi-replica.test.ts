import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from '../../src/chaos/mock/index.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../../src/state/test-support.js';
import { adminState, chat, sha256, spawnGateways, tempDir, until, type GatewayProcess, mockDeploymentsYaml } from './helpers.js';

const CLIENT_KEY = 'sk-bulwark-scale-client';
const LIMITED_KEY = 'sk-bulwark-scale-limited';
const ADMIN_KEY = 'sk-bulwark-scale-admin';
const RPM = 60;

/**
 * Three `bulwark serve` processes sharing one Redis (a unique key prefix on the machine's Redis)
 * in front of one mock provider (primary → secondary). Each scenario sends its traffic to all
 * three replicas and checks that they behave as one gateway.
 */
function config(mock: MockProvider, prefix: string): string {
  return `
${mockDeploymentsYaml(mock)}
routes:
  - { name: gpt-4, chain: [gpt4, gpt35] }
  - { name: cached, chain: [gpt4, gpt35], cache: true, cacheTtlMs: 60s }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 3, openMs: 60s }
auth:
  keys:
    - { tenant: apps, sha256: ${sha256(CLIENT_KEY)} }
    - { tenant: batch, sha256: ${sha256(LIMITED_KEY)}, rpm: ${RPM} }
  adminKeySha256: ${sha256(ADMIN_KEY)}
state:
  # Generous command timeout: this suite checks sharing, not the 50 ms production bound, and the CI machine is busy.
  redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}", commandTimeoutMs: 500ms }
`;
}

describe('three gateway processes sharing one Redis', () => {
  let mock: MockProvider;
  let replicas: GatewayProcess[] = [];
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const prefix = uniquePrefix('scale');

  beforeAll(async () => {
    mock = await startMockProvider({ profile: { default: { latency: { kind: 'fixed', ms: 5 } } } });
    dir = await tempDir();
    const file = await dir.write('bulwark.yaml', config(mock, prefix));
    replicas = await spawnGateways(3, file, { MOCK_KEY: 'mock-key' });
    await until(async () => ((await adminState(replicas[0].url, ADMIN_KEY)).liveReplicas === 3 ? true : undefined), 8_000, 100);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await mock?.close();
    await dir?.close();
    await deleteKeys(prefix);
  });

  it('an answer cached through one replica is served by the others', async () => {
    const prompt = `cache me ${Date.now()}`;
    const first = await chat(replicas[0].url, { model: 'cached', prompt, key: CLIENT_KEY });
    expect(first).toMatchObject({ status: 200, servedBy: 'primary' });
    const upstreamCalls = mock.stats().byDeployment.primary?.requests ?? 0;
    // The router writes answers to the cache off the request's path (a setImmediate batch), so
    // the entry reaches Redis just after the answer reaches the client: wait for it to land.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await until(async () => ((await redis.keys(`${prefix}cache:*`)).length > 0 ? true : undefined), 2_000, 10);
    } finally {
      redis.disconnect();
    }
    for (const r of replicas.slice(1)) expect(await chat(r.url, { model: 'cached', prompt, key: CLIENT_KEY })).toMatchObject({ status: 200, servedBy: 'cache' });
    expect(mock.stats().byDeployment.primary?.requests ?? 0).toBe(upstreamCalls);
  });

  it(`a key's limit of ${RPM} requests per minute holds across the three replicas (within 5%)`, async () => {
    const offered = RPM * 2;
    const results = [];
    for (let wave = 0; wave < offered / 12; wave++) {
      // 12 at once, 4 per replica: concurrent takes from every replica race for the same budget.
      results.push(...await Promise.all(Array.from({ length: 12 }, (_, i) => chat(replicas[i % 3].url, { prompt: `limited ${wave}-${i}`, key: LIMITED_KEY }))));
    }
    const admitted = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    console.log(`[scale] key limit ${RPM}/min over 3 replicas: admitted ${admitted} of ${offered}`);
    expect(Math.abs(admitted - RPM)).toBeLessThanOrEqual(RPM * 0.05);
    expect(admitted + limited.length).toBe(offered);
    for (const r of limited) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    // Every replica admitted some and refused some: the budget really is one, not three.
    expect(new Set(results.map((r, i) => `${i % 3}:${r.status}`)).size).toBe(6);
  });

  it('the primary fails: the breaker opened by one replica fast-fails on all three', async () => {
    mock.setProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    // Trip it through replica 0 only.
    for (let i = 0; i < 3; i++) expect((await chat(replicas[0].url, { prompt: `trip ${i}`, key: CLIENT_KEY })).servedBy).toBe('secondary');
    const opened = await until(async () => {
      const b = (await adminState(replicas[0].url, ADMIN_KEY)).breakers.primary;
      return b?.state === 'open' ? b : undefined;
    });
    const delays = await Promise.all(replicas.slice(1).map(async (r) => {
      const seenAt = await until(async () => ((await adminState(r.url, ADMIN_KEY)).breakers.primary?.state === 'open' ? Date.now() : undefined), 3_000, 5);
      return seenAt - opened.changedAt;
    }));
    console.log(`[scale] breaker open seen by the other replicas after ${delays.join(' ms, ')} ms`);
    for (const delay of delays) expect(delay).toBeLessThan(1_000);

    const primaryCalls = mock.stats().byDeployment.primary?.requests ?? 0;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => chat(replicas[i % 3].url, { prompt: `after ${i}`, key: CLIENT_KEY })));
    for (const a of answers) expect(a).toMatchObject({ status: 200, servedBy: 'secondary', attempts: 1 });
    expect(mock.stats().byDeployment.primary?.requests ?? 0).toBe(primaryCalls); // nobody called the primary again
    // The cluster board: every replica reports the primary's breaker open (reports every 2 s).
    const cluster = await until(async () => {
      const reports = Object.values((await adminState(replicas[1].url, ADMIN_KEY)).cluster);
      const open = reports.filter((r) => r.deployments.some((d) => d.id === 'primary' && d.breaker === 'open'));
      return open.length === 3 ? reports : undefined;
    }, 6_000, 100);
    expect(cluster).toHaveLength(3);
  });
});
