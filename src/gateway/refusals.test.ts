import { afterEach, describe, expect, it } from 'vitest';
import { hashKey } from './auth.js';
import { parseConfig } from './config/load.js';
import { Gateway } from './gateway.js';
import { createLogger } from './logger.js';
import { defaultRouterFactory } from './router-factory.js';

const ADMIN = 'admin-key-for-refusal-tests';
const config = (extra: string) => parseConfig(`
server: { port: 0, bodyLimit: 4096 }
logging: { level: silent }
mocks:
  m: { profile: { default: { latency: { kind: fixed, ms: 1000 } } } } # long enough that a burst of 5 overlaps on a busy machine
providers:
  p: { type: openai, mock: { name: m, deployment: primary } }
modelGroups:
  g: { deployments: [ { id: primary, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
auth:
  adminKeySha256: "${hashKey(ADMIN)}"
  keys:
    - { tenant: acme, sha256: "${hashKey('key-acme')}" }
    - { tenant: slow, sha256: "${hashKey('key-slow')}", rpm: 1 }
${extra}`);

describe("the gateway's own refusals are counted (requests, rejections by reason, SLA)", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => gateway?.shutdown(0));

  const post = (key: string, body: string, contentType = 'application/json') => fetch(`${gateway!.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${key}` }, body,
  }).then(async (r) => ({ status: r.status, body: await r.text() }));
  const chat = (key: string) => post(key, JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }));
  const admin = (path: string) => fetch(`${gateway!.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });

  it('shed, per-key 429, body too large and unsupported media type each show in bulwark_rejections_total, bulwark_requests_total and the route SLA', async () => {
    gateway = await Gateway.start({
      config: config('loadShedding: { gateway: { initialLimit: 2, minLimit: 2, maxLimit: 2 }, priorities: { normal: 1 } }'),
      createRouter: defaultRouterFactory, logger: createLogger('silent'),
    });
    // 2 admitted, 3 shed (the limit is 2).
    const burst = await Promise.all(Array.from({ length: 5 }, () => chat('key-acme')));
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 503, 503, 503]);
    // The key with rpm 1: one served, one refused.
    expect((await chat('key-slow')).status).toBe(200);
    expect((await chat('key-slow')).status).toBe(429);
    expect((await post('key-acme', JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }))).status).toBe(413);
    expect((await post('key-acme', 'model=gpt-4', 'text/plain')).status).toBe(415);

    const metrics = await (await admin('/metrics')).text();
    const sample = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? NaN);
    expect(sample(/^bulwark_rejections_total\{route="gpt-4",reason="shed"\} (\d+)$/m)).toBe(3);
    expect(sample(/^bulwark_rejections_total\{route="gpt-4",reason="rate_limited"\} (\d+)$/m)).toBe(1);
    expect(sample(/^bulwark_rejections_total\{route="other",reason="body_too_large"\} (\d+)$/m)).toBe(1);
    expect(sample(/^bulwark_rejections_total\{route="other",reason="unsupported"\} (\d+)$/m)).toBe(1);
    // Shed requests are the service's errors; a key's own limit is the client's.
    expect(sample(/^bulwark_requests_total\{route="gpt-4",group="",served_by="none",status="error",error_type="shed",tenant="acme",stream="false"\} (\d+)$/m)).toBe(3);
    expect(sample(/^bulwark_requests_total\{route="gpt-4",group="",served_by="none",status="client_error",error_type="rate_limited",tenant="slow",stream="false"\} (\d+)$/m)).toBe(1);

    const sla = await (await admin('/admin/sla')).json();
    const window = sla.routes['gpt-4'].windows['1m'];
    expect(window).toMatchObject({ requests: 7, errors: 3 }); // 3 served, 3 shed, 1 over its key's RPM (the client's doing)
    expect(window.availabilityPercent).toBeLessThan(100);
  });
});
