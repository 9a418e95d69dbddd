import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from '../../src/chaos/mock/index.js';
import { httpChatSender } from '../../src/chaos/load/http-sender.js';
import { runLoad } from '../../src/chaos/load/runner.js';
import { ThrowawayRedis } from '../../src/state/test-support.js';
import { adminState, chat, sha256, spawnGateway, tempDir, until, type GatewayProcess, mockDeploymentsYaml } from './helpers.js';

const CLIENT_KEY = 'sk-bulwark-fault-client';
const ADMIN_KEY = 'sk-bulwark-fault-admin';

/**
 * Redis goes away in the middle of load (a throwaway redis-server, killed and restarted empty —
 * never the machine's shared Redis). Every request on the way touches Redis (shared key RPM,
 * shared response cache), with the production 50 ms command bound.
 */
function config(mock: MockProvider, redisUrl: string): string {
  return `
${mockDeploymentsYaml(mock)}
routes:
  - { name: gpt-4, chain: [gpt4, gpt35] }
  - { name: load, chain: [gpt35], cache: true, cacheTtlMs: 60s }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 3, openMs: 60s }
auth:
  keys:
    - { tenant: apps, sha256: ${sha256(CLIENT_KEY)}, rpm: 1000000 }
  adminKeySha256: ${sha256(ADMIN_KEY)}
state:
  redis: { url: "${redisUrl}" }
`;
}

describe('Redis unreachable in the middle of load', () => {
  let mock: MockProvider;
  let redis: ThrowawayRedis;
  let replicas: GatewayProcess[] = [];
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    mock = await startMockProvider({ profile: { default: { latency: { kind: 'fixed', ms: 5 } } } });
    dir = await tempDir();
    const file = await dir.write('bulwark.yaml', config(mock, redis.url));
    replicas = await Promise.all([0, 1, 2].map(() => spawnGateway(file, { MOCK_KEY: 'mock-key' })));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await mock?.close();
    await redis?.kill();
    await dir?.close();
  });

  it('fails no client request, decides locally meanwhile, and resyncs when Redis is back', async () => {
    const senders = replicas.map((r) => httpChatSender({ url: r.url, model: 'load', apiKey: CLIENT_KEY, prompt: 'load {i}', connections: 16 }));
    const load = runLoad((i, signal) => senders[i % 3](i, signal), { model: { kind: 'open', rate: 60 }, durationMs: 7_000, requestTimeoutMs: 5_000 });

    await new Promise((r) => setTimeout(r, 1_500));
    await redis.kill();
    await until(async () => ((await Promise.all(replicas.map((r) => adminState(r.url, ADMIN_KEY)))).every((s) => s.status === 'down') ? true : undefined), 5_000, 50);

    // While Redis is away, replica 0 alone sees the primary fail and opens its breaker locally.
    mock.setProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    for (let i = 0; i < 3; i++) expect((await chat(replicas[0].url, { prompt: `trip ${i}`, key: CLIENT_KEY })).status).toBe(200);
    expect((await adminState(replicas[0].url, ADMIN_KEY)).breakers.primary?.state).toBe('open');
    for (const r of replicas.slice(1)) expect((await adminState(r.url, ADMIN_KEY)).breakers.primary?.state).not.toBe('open');

    await new Promise((r) => setTimeout(r, 1_000));
    await redis.resume(); // back, and empty: nothing was persisted
    const backAt = Date.now();
    const resyncMs = await until(async () => {
      const states = await Promise.all(replicas.map((r) => adminState(r.url, ADMIN_KEY)));
      return states.every((s) => s.status === 'up' && s.breakers.primary?.state === 'open') ? Date.now() - backAt : undefined;
    }, 8_000, 25);
    console.log(`[scale] Redis back: all replicas up and agreeing on the primary's open breaker after ${resyncMs} ms`);

    const summary = await load;
    await Promise.all(senders.map((s) => s.close()));
    console.log(`[scale] load through the outage: ${summary.requests} requests, ${summary.errors} errors, p99 ${summary.latency.p99Ms} ms`);
    expect(summary.requests).toBeGreaterThan(300);
    expect(summary.errors).toBe(0);
    for (const r of replicas) expect((await adminState(r.url, ADMIN_KEY)).outages).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
