import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from '../../src/chaos/mock/index.js';
import { httpChatSender } from '../../src/chaos/load/http-sender.js';
import { ThrowawayRedis } from '../../src/state/test-support.js';
import { adminState, chat, sha256, spawnGateways, tempDir, until, type GatewayProcess, mockDeploymentsYaml } from './helpers.js';

const CLIENT_KEY = 'sk-bulwark-fault-client';
const ADMIN_KEY = 'sk-bulwark-fault-admin';
/** Answers each phase (before the outage, during it, after Redis is back) must get. */
const PER_PHASE = 60;
/** A client's pause between requests: ~150 req/s in all on an idle machine, less on a busy one. */
const PAUSE_MS = 20;
const REQUEST_TIMEOUT_MS = 5_000;
type Phase = 'before' | 'outage' | 'back';

/**
 * Redis goes away in the middle of load (a throwaway redis-server, killed and restarted empty —
 * never the machine's shared Redis). Every request on the way touches Redis (shared key RPM,
 * shared response cache), with the production 50 ms command bound. The load is closed-loop and the
 * phases follow events, so a slow machine makes the test slower, never wrong.
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
    replicas = await spawnGateways(3, file, { MOCK_KEY: 'mock-key' });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await mock?.close();
    await redis?.kill();
    await dir?.close();
  });

  it('fails no client request, decides locally meanwhile, and resyncs when Redis is back', async () => {
    const senders = replicas.map((r) => httpChatSender({ url: r.url, model: 'load', apiKey: CLIENT_KEY, prompt: 'load {i}', connections: 4 }));
    // Warm each replica's request path first (a fresh process on a loaded 2-core machine spends
    // its first seconds compiling): the phases below then measure the outage, not the warm-up.
    for (const [i, send] of senders.entries()) for (let n = 0; n < 10; n++) expect((await send(-(i * 10 + n), AbortSignal.timeout(REQUEST_TIMEOUT_MS))).status).toBe(200);

    // Closed-loop load, one client per replica: the phases are marked by events (Redis killed,
    // Redis back), never by sleeps, and each phase must see answers of its own.
    const results: Array<{ phase: Phase; ok: boolean; status: number; error?: string }> = [];
    let phase: Phase = 'before';
    let stop = false;
    const answered = (p: Phase) => results.filter((r) => r.phase === p).length;
    const clients = senders.map(async (send, c) => {
      for (let i = c; !stop; i += senders.length) {
        const at = phase;
        const result = await send(i, AbortSignal.timeout(REQUEST_TIMEOUT_MS)).catch((error: Error) => ({ ok: false, status: 0, error: error.name }));
        results.push({ phase: at, ok: result.ok, status: result.status, error: result.error });
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    });
    const phaseAnswered = (p: Phase) => until(() => (answered(p) >= PER_PHASE ? true : undefined), 20_000, 25);

    await phaseAnswered('before');
    await redis.kill();
    await until(async () => ((await Promise.all(replicas.map((r) => adminState(r.url, ADMIN_KEY)))).every((s) => s.status === 'down') ? true : undefined), 5_000, 50);
    phase = 'outage'; // (requests in between count as 'before': they may have been sent while Redis was up)

    // While Redis is away, replica 0 alone sees the primary fail and opens its breaker locally.
    mock.setProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    for (let i = 0; i < 3; i++) expect((await chat(replicas[0].url, { prompt: `trip ${i}`, key: CLIENT_KEY })).status).toBe(200);
    expect((await adminState(replicas[0].url, ADMIN_KEY)).breakers.primary?.state).toBe('open');
    for (const r of replicas.slice(1)) expect((await adminState(r.url, ADMIN_KEY)).breakers.primary?.state).not.toBe('open');

    await phaseAnswered('outage');
    await redis.resume(); // back, and empty: nothing was persisted
    const backAt = Date.now();
    const resyncMs = await until(async () => {
      const states = await Promise.all(replicas.map((r) => adminState(r.url, ADMIN_KEY)));
      return states.every((s) => s.status === 'up' && s.breakers.primary?.state === 'open') ? Date.now() - backAt : undefined;
    }, 8_000, 25);
    console.log(`[scale] Redis back: all replicas up and agreeing on the primary's open breaker after ${resyncMs} ms`);
    phase = 'back';
    await phaseAnswered('back');
    stop = true;
    await Promise.all(clients);
    await Promise.all(senders.map((s) => s.close()));

    const failed = results.filter((r) => !r.ok);
    console.log(`[scale] load through the outage: ${results.length} requests (${answered('before')} before, ${answered('outage')} during, ${answered('back')} after), ${failed.length} failed`);
    expect(failed).toEqual([]);
    for (const r of replicas) expect((await adminState(r.url, ADMIN_KEY)).outages).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
