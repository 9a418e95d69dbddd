import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from '../../src/chaos/mock/index.js';
import { httpChatSender } from '../../src/chaos/load/http-sender.js';
import { runLoad } from '../../src/chaos/load/runner.js';
import { breakerStateKey, RedisBreakerStateStore } from '../../src/state/breaker/redis-breaker-store.js';
import { RedisLink } from '../../src/state/redis-link.js';
import { redisStateContracts } from '../../src/state/redis-state.contract.js';
import { adminState, chat, mockDeploymentsYaml, sha256, spawnGateway, tempDir, type GatewayProcess } from '../scale/helpers.js';
import { directClient, startSentinelSet, until, type SentinelSet } from './servers.js';

// A primary, a replica and three sentinels (redis-server --sentinel), all with a password. The
// shared-state contract suites run through the sentinels; then the primary crashes under load
// and the sentinels promote the replica: no gateway request fails, and the breaker state that
// was shared before the failover is still shared after it.
const PASSWORD = 'sentinel-set-pass-41d9';
const CLIENT_KEY = 'sk-bulwark-sentinel-client';
const ADMIN_KEY = 'sk-bulwark-sentinel-admin';

let set: SentinelSet | undefined;
const server = () => ({ sentinel: { masterName: set!.masterName, nodes: set!.sentinelNodes }, password: PASSWORD });

beforeAll(async () => {
  set = await startSentinelSet(PASSWORD);
}, 90_000);
afterAll(async () => set?.stop());

redisStateContracts('sentinel', server);

describe('a Sentinel failover under load', () => {
  let mock: MockProvider | undefined;
  let gateways: GatewayProcess[] = [];
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await mock?.close();
    await dir?.close();
  });

  it('fails no gateway request, and the breaker opened before the failover is open on every replica after it', async () => {
    mock = await startMockProvider({ profile: { default: { latency: { kind: 'fixed', ms: 5 } } } });
    dir = await tempDir();
    const file = await dir.write('bulwark.yaml', `
${mockDeploymentsYaml(mock)}
routes:
  - { name: gpt-4, chain: [gpt4, gpt35] }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 3, openMs: 60s }
auth:
  keys:
    - { tenant: apps, sha256: ${sha256(CLIENT_KEY)}, rpm: 1000000 }
  adminKeySha256: ${sha256(ADMIN_KEY)}
state:
  redis:
    sentinel: { masterName: ${set!.masterName}, nodes: [${set!.sentinelNodes.map((n) => `"${n}"`).join(', ')}] }
    password: \${REDIS_PASSWORD}
    # The production 50 ms bound is about request latency; on this shared 2-core machine the
    # gateways' event loops lag more than that, which would read as a Redis outage of its own.
    commandTimeoutMs: 1s
`);
    gateways = await Promise.all([0, 1].map(() => spawnGateway(file, { MOCK_KEY: 'mock-key', REDIS_PASSWORD: PASSWORD })));
    for (const g of gateways) expect((await adminState(g.url, ADMIN_KEY)).status).toBe('up');

    // The primary deployment fails; gateway 0 opens its breaker and gateway 1 hears of it through Redis.
    mock.setProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    for (let i = 0; i < 3; i++) expect((await chat(gateways[0].url, { prompt: `trip ${i}`, key: CLIENT_KEY })).status).toBe(200);
    await until('gateway 1 sees the open breaker', async () => ((await adminState(gateways[1].url, ADMIN_KEY)).breakers.primary?.state === 'open' ? true : undefined));
    // Under load the sentinels may already have failed over once: the victim is whoever is primary now.
    const before = await set!.currentPrimaryPort();
    const [victim, survivor] = before === set!.primary.port ? [set!.primary, set!.replica] : [set!.replica, set!.primary];
    // The replica has the state too (asynchronous replication, checked before the crash).
    const replica = await directClient(survivor.port, { password: PASSWORD });
    await until('replicated', async () => ((await replica.hget(breakerStateKey('bulwark:', 'primary'), 'snap'))?.includes('"open"') ? true : undefined));

    const senders = gateways.map((g) => httpChatSender({ url: g.url, model: 'gpt-4', apiKey: CLIENT_KEY, prompt: 'load {i}', connections: 8 }));
    const load = runLoad((i, signal) => senders[i % senders.length](i, signal), { model: { kind: 'open', rate: 40 }, durationMs: 8_000, requestTimeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    const crashedAt = Date.now();
    await victim.kill(); // a crash: the sentinels notice after down-after-milliseconds (1 s) and promote the replica
    const promotedPort = await until('the sentinels promote the replica', async () => {
      const port = await set!.currentPrimaryPort();
      return port === survivor.port ? port : undefined;
    }, 20_000, 100);
    const promotedMs = Date.now() - crashedAt;
    let seen = '';
    const agreedMs = await until('both gateways back on Redis, agreeing the breaker is open', async () => {
      const states = await Promise.all(gateways.map((g) => adminState(g.url, ADMIN_KEY)));
      seen = JSON.stringify(states.map((s) => ({ status: s.status, outages: s.outages, breaker: s.breakers.primary?.state })));
      return states.every((s) => s.status === 'up' && s.breakers.primary?.state === 'open') ? Date.now() - crashedAt : undefined;
    }, 20_000, 50).catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${seen}; gateway output:\n${gateways.map((g) => g.output().slice(-3_000)).join('\n---\n')}`);
    });
    const summary = await load;
    await Promise.all(senders.map((s) => s.close()));
    console.log(`[sentinel] primary crashed: replica ${promotedPort} promoted after ${promotedMs} ms, gateways up and agreeing after ${agreedMs} ms; load: ${summary.requests} requests, ${summary.errors} failed, p99 ${summary.latency.p99Ms} ms`);

    expect(summary.requests).toBeGreaterThan(100);
    expect(summary.errors).toBe(0);
    expect(summary.errorsByKind).toEqual({});
    // The new primary holds the open breaker, and a replica that starts now finds it there.
    replica.disconnect(); // its connection was cut by the promotion
    const promoted = await directClient(promotedPort, { password: PASSWORD });
    expect(await promoted.hget(breakerStateKey('bulwark:', 'primary'), 'snap')).toContain('"open"');
    promoted.disconnect();
    const late = await RedisLink.connect({ ...server(), keyPrefix: 'bulwark:', commandTimeoutMs: 2_000 });
    const store = await RedisBreakerStateStore.open(late, { reconcileIntervalMs: 0 });
    expect(store.get('primary')?.state).toBe('open');
    store.close();
    await late.close();
  }, 60_000);
});
