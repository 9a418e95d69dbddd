import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../core/errors.js';
import { FakeClock } from '../core/fake-clock.js';
import { MemorySlidingWindowLimiter } from '../state/rate-limit/memory-sliding-window.js';
import { parseConfig } from './config/load.js';
import { DeploymentQuota } from './deployment-quota.js';
import { Gateway } from './gateway.js';
import { RequestContext } from './http/request-context.js';
import { openaiDialect } from './dialect.js';
import * as L from './load-shedding-defaults.js';
import { requestPriority } from './load-shedder.js';
import { defaultRouterFactory } from './router-factory.js';
import { startMockProvider } from '../chaos/mock/index.js';
import { createRouter } from '../llm/router/index.js';
import { SharedKeyRateLimiter } from './shared-key-rate-limiter.js';
import { createLogger } from './logger.js';
import type { IncomingMessage } from 'node:http';
import type { KeyGrant } from './auth.js';

const BASE = `
server: { port: 0 }
logging: { level: silent }
mocks:
  m: { profile: { default: { latency: { kind: fixed, ms: 300 } } } }
providers:
  p: { type: openai, mock: { name: m, deployment: primary } }
modelGroups:
  g: { deployments: [ { id: primary, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
`;

describe('load shedding defaults and config', () => {
  it('pins the defaults', () => {
    expect({ ...L }).toEqual({
      DEFAULT_SHEDDING_ENABLED: true,
      DEFAULT_GATEWAY_INITIAL_LIMIT: 100,
      DEFAULT_GATEWAY_MIN_LIMIT: 10,
      DEFAULT_GATEWAY_MAX_LIMIT: 5_000,
      DEFAULT_DEPLOYMENT_INITIAL_LIMIT: 50,
      DEFAULT_DEPLOYMENT_MIN_LIMIT: 2,
      DEFAULT_DEPLOYMENT_MAX_LIMIT: 1_000,
      DEFAULT_PRIORITY_SHARES: { high: 1, normal: 0.9, low: 0.6 },
      PRIORITY_HEADER: 'x-bulwark-priority',
      RECENT_WEIGHT: 0.1,
      MODEL_WEIGHT: 0.02,
      MODEL_WEIGHT_SATURATED: 0.001,
      MODEL_MIN_SHARE: 0.05,
      LATENCY_TOLERANCE: 1.3,
      LATENCY_SLACK_MS: 25,
      NOISE_SIGMAS: 2,
      IDLE_HEADROOM: 2,
      IDLE_DECAY_WEIGHT: 0.01,
      PEAK_DECAY_WEIGHT: 0.001,
      LIMIT_GROWTH_PER_SAMPLE: 1,
      LIMIT_SMOOTHING: 0.2,
      OVERLOAD_RATE_WEIGHT: 0.05,
      OVERLOAD_RATE_THRESHOLD: 0.2,
      DEFAULT_OVERLOAD_BACKOFF_RATIO: 0.9,
      MIN_OVERLOAD_CUT_INTERVAL_MS: 250,
    });
  });

  it('fills state and loadShedding defaults, and names a bad Redis URL by its path', () => {
    const config = parseConfig(`${BASE}state: { redis: { url: "redis://r:6379" } }\n`);
    expect(config.state.redis).toEqual({ url: 'redis://r:6379', keyPrefix: 'bulwark:', commandTimeoutMs: 50, connectTimeoutMs: 1_000 });
    expect(config.loadShedding).toMatchObject({ enabled: true, gateway: { initialLimit: 100 }, priorities: { low: 0.6 }, priorityHeader: true });
    expect(() => parseConfig(`${BASE}state: { redis: { url: "http://r" } }\n`)).toThrow(/state\.redis\.url/);
  });
});

describe('request priority', () => {
  const req = (priority?: string) => ({ headers: priority ? { 'x-bulwark-priority': priority } : {} }) as IncomingMessage;
  const context = (keyPriority?: 'low' | 'normal' | 'high') => {
    const c = new RequestContext('id', 'POST', '/v1/chat/completions', openaiDialect, 0);
    if (keyPriority) {
      c.priority = keyPriority;
      c.grant = { tenant: 't', priority: keyPriority, index: 0 } as KeyGrant;
    }
    return c;
  };
  it.each([
    [undefined, undefined, 'normal'],
    [undefined, 'low', 'low'],
    [undefined, 'high', 'high'], // no keys: nobody is authenticated, the header stands
    ['normal', 'high', 'normal'], // a key can lower its priority, never raise it
    ['high', 'low', 'low'],
    ['low', 'bogus', 'low'],
  ] as const)('key %s, header %s → %s', (key, header, expected) => {
    expect(requestPriority(context(key), req(header), true)).toBe(expected);
  });
  it('ignores the header when priorityHeader is off', () => {
    expect(requestPriority(context(), req('low'), false)).toBe('normal');
  });
});

describe('gateway load shedding (in-process gateway, real sockets)', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => gateway?.shutdown(0));

  const post = (priority?: string) => fetch(`${gateway!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(priority ? { 'x-bulwark-priority': priority } : {}) },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }),
  }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }));

  it('refuses what is above the limit at once with 503 + Retry-After; low priority first', async () => {
    const config = parseConfig(`${BASE}loadShedding: { enabled: true, gateway: { initialLimit: 2, minLimit: 2, maxLimit: 2 }, deployment: { initialLimit: 100, minLimit: 100, maxLimit: 100 }, priorities: { normal: 1, low: 0.5 } }\n`);
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: createLogger('silent') });
    const started = Date.now();
    const low = await Promise.all([post('low'), post('low')]); // low may fill half the limit: 1
    expect(low.map((r) => r.status).sort()).toEqual([200, 503]);
    const mixed = await Promise.all([post(), post(), post()]);
    expect(mixed.map((r) => r.status).sort()).toEqual([200, 200, 503]);
    const refused = [...low, ...mixed].filter((r) => r.status === 503);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body).error.message).toMatch(/shed/);
    }
    expect(Date.now() - started).toBeLessThan(3_000); // nothing queued behind the 300 ms calls
    const state = await (await fetch(`${gateway.url}/admin/state`)).json();
    expect(state).toMatchObject({ backend: 'memory', status: 'up', loadShedding: { limit: 2, shed: 2 } });
    const reports = Object.values(state.cluster as Record<string, { deployments: Array<{ id: string; breaker: string }> }>);
    expect(reports).toHaveLength(1); // memory: this replica only
    expect(reports[0].deployments).toEqual([expect.objectContaining({ id: 'primary', breaker: 'closed', ejected: false })]);
  });
});

describe('DeploymentQuota', () => {
  it('counts a stream\'s tokens against TPM once the stream has ended (through the router, over HTTP)', async () => {
    const mock = await startMockProvider();
    const limiter = new MemorySlidingWindowLimiter({ clock: new FakeClock() });
    const router = createRouter({
      providers: { p: { type: 'openai', baseUrl: `${mock.deploymentUrl('primary')}/v1`, apiKey: 'k' } },
      modelGroups: { g: { deployments: [{ id: 'primary', provider: 'p', model: 'gpt-4o' }] } },
      routes: [{ name: 'gpt-4', chain: ['g'] }],
    }, { deploymentPolicies: ({ id }) => [new DeploymentQuota(id, { tpm: 10_000 }, limiter)] });
    try {
      const stream = await router.stream({ model: 'gpt-4', messages: [{ role: 'user', content: 'echo: count these tokens please' }] });
      expect(await limiter.used('deployment:primary:tpm', 60_000)).toBe(0); // not known before the end
      let finish: { usage?: { inputTokens: number; outputTokens: number } } | undefined;
      for await (const event of stream) if (event.type === 'finish') finish = event;
      await new Promise((resolve) => setImmediate(resolve));
      const expected = finish!.usage!.inputTokens + finish!.usage!.outputTokens;
      expect(expected).toBeGreaterThan(0);
      expect(await limiter.used('deployment:primary:tpm', 60_000)).toBe(expected);
    } finally {
      await router.close();
      await mock.close();
    }
  });

  it('takes one RPM unit per call, refuses beyond it, and records answer tokens against TPM', async () => {
    const clock = new FakeClock();
    const limiter = new MemorySlidingWindowLimiter({ clock });
    const quota = new DeploymentQuota('d1', { rpm: 2, tpm: 100 }, limiter);
    const answer = { usage: { inputTokens: 40, outputTokens: 30 } };
    expect(await quota.execute(() => answer)).toBe(answer);
    await Promise.resolve();
    expect(await limiter.used('deployment:d1:tpm', 60_000)).toBe(70);
    await quota.execute(() => answer);
    await Promise.resolve();
    let calls = 0;
    await expect(quota.execute(() => calls++)).rejects.toBeInstanceOf(RateLimitedError); // TPM 140 >= 100
    await clock.advance(60_000);
    const rpmOnly = new DeploymentQuota('d2', { rpm: 1 }, limiter);
    await rpmOnly.execute(() => calls++);
    const refused = await rpmOnly.execute(() => calls++).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(calls).toBe(1);
  });
});

describe('SharedKeyRateLimiter', () => {
  it('counts a key\'s RPM in the shared limiter under a digest prefix, never the key', async () => {
    const limiter = new MemorySlidingWindowLimiter({ clock: new FakeClock() });
    const digest = 'ab'.repeat(32);
    const keys = new SharedKeyRateLimiter([digest], limiter);
    const grant = { tenant: 't', priority: 'normal', rpm: 2, index: 0 } as KeyGrant;
    await keys.acquire(grant);
    await keys.acquire(grant);
    await expect(keys.acquire(grant)).rejects.toBeInstanceOf(RateLimitedError);
    expect(await limiter.used(`key:${digest.slice(0, 16)}:rpm`, 60_000)).toBe(2);
    await keys.acquire({ ...grant, rpm: undefined }); // no rpm: never limited
  });
});
