import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOWN, setFaults, startTestGateway, testConfigYaml } from '../../../test/gateway/helpers.js';
import { hashKey } from '../auth.js';
import type { Gateway } from '../gateway.js';

// The admin API over real HTTP: who may call it, and what each action does to routing.

const CLIENT_KEY = 'bk-ops-client-key-0123456789';
const ADMIN_KEY = 'bk-ops-admin-key-0123456789';

const chat = (gateway: Gateway, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'hello' }] }),
  }).then(async (res) => {
    await res.text();
    return res.headers.get('x-bulwark-served-by');
  });

async function call(gateway: Gateway, method: string, path: string, key?: string) {
  const res = await fetch(`${gateway.url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as Record<string, any> };
}

const breakerOf = async (gateway: Gateway, id: string, key?: string) =>
  (await call(gateway, 'GET', '/admin/breakers', key)).json.deployments.find((d: { id: string }) => d.id === id);

describe('admin API with gateway keys and an admin key', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml(`
auth:
  keys: [ { tenant: acme, sha256: ${hashKey(CLIENT_KEY)} } ]
  adminKeySha256: ${hashKey(ADMIN_KEY)}
`));
  });
  afterAll(() => gateway.shutdown(1000));

  it.each([
    ['GET', '/admin/breakers'], ['GET', '/admin/sla'], ['GET', '/admin/alerts'], ['POST', '/admin/stats/reset'],
    ['POST', '/admin/deployments/primary-gpt4/open'], ['POST', '/admin/deployments/primary-gpt4/drain'],
  ])('%s %s: 401 JSON without a key and with a client key', async (method, path) => {
    for (const key of [undefined, CLIENT_KEY, 'bk-wrong']) {
      const res = await call(gateway, method, path, key);
      expect(res.status).toBe(401);
      expect(res.type).toBe('application/json');
      expect(res.json.error.type).toBe('authentication_error');
    }
    expect((await breakerOf(gateway, 'primary-gpt4', ADMIN_KEY)).breaker).toBe('closed');
    expect((await breakerOf(gateway, 'primary-gpt4', ADMIN_KEY)).drained).toBe(false);
  });

  it('lists every deployment and its breaker with the admin key (also as x-api-key)', async () => {
    const res = await call(gateway, 'GET', '/admin/breakers', ADMIN_KEY);
    expect(res.status).toBe(200);
    expect(res.json.deployments.map((d: { id: string }) => d.id)).toEqual(['primary-gpt4', 'secondary-gpt35', 'primary-sonnet', 'secondary-haiku']);
    expect(res.json.deployments[0]).toMatchObject({ group: 'gpt4', breaker: 'closed', available: true, drained: false, ejected: false });
    const viaHeader = await fetch(`${gateway.url}/admin/breakers`, { headers: { 'x-api-key': ADMIN_KEY } });
    expect(viaHeader.status).toBe(200);
    await viaHeader.text();
  });
});

describe('admin API on a loopback gateway without keys', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });

  it('is open, and 403 when client keys exist but no admin key does', async () => {
    gateway = await startTestGateway();
    expect((await call(gateway, 'GET', '/admin/breakers')).status).toBe(200);
    await gateway.shutdown(1000);
    gateway = await startTestGateway(testConfigYaml(`
auth:
  keys: [ { tenant: acme, sha256: ${hashKey(CLIENT_KEY)} } ]
`));
    const res = await call(gateway, 'GET', '/admin/breakers', CLIENT_KEY);
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain('adminKeySha256');
  });

  it('open forces the breaker open (traffic moves to the secondary), release closes it again', async () => {
    gateway = await startTestGateway();
    expect(await chat(gateway)).toBe('primary-gpt4');
    const opened = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/open');
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({ action: 'open', deployment: { id: 'primary-gpt4', breaker: 'isolated', available: false } });
    expect(await chat(gateway)).toBe('secondary-gpt35');
    const released = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/release');
    expect(released.json.deployment).toMatchObject({ breaker: 'closed', available: true });
    expect(await chat(gateway)).toBe('primary-gpt4');
  });

  it('close keeps the breaker closed while the primary fails; release hands it back to the breaker', async () => {
    gateway = await startTestGateway(testConfigYaml().replace('breaker: { failureThreshold: 1000 }', 'breaker: { failureThreshold: 2, openMs: 60s }'));
    const closed = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/close');
    expect(closed.json.deployment.breaker).toBe('forced-closed');
    setFaults(gateway, { primary: DOWN });
    for (let i = 0; i < 4; i++) await chat(gateway);
    expect((await breakerOf(gateway, 'primary-gpt4')).breaker).toBe('forced-closed');
    await call(gateway, 'POST', '/admin/deployments/primary-gpt4/release');
    for (let i = 0; i < 3; i++) await chat(gateway);
    expect((await breakerOf(gateway, 'primary-gpt4')).breaker).toBe('open');
  });

  it('drain takes the deployment out of rotation without touching its breaker; undrain brings it back', async () => {
    gateway = await startTestGateway();
    const drained = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/drain');
    expect(drained.json.deployment).toMatchObject({ drained: true, available: false, breaker: 'closed' });
    expect(await chat(gateway)).toBe('secondary-gpt35');
    const undrained = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/undrain');
    expect(undrained.json.deployment).toMatchObject({ drained: false, available: true });
    expect(await chat(gateway)).toBe('primary-gpt4');
  });

  it('probe calls the deployment directly and reports the result', async () => {
    gateway = await startTestGateway();
    expect((await call(gateway, 'POST', '/admin/deployments/secondary-gpt35/probe')).json.result).toMatchObject({ deployment: 'secondary-gpt35', ok: true });
    setFaults(gateway, { secondary: DOWN });
    expect((await call(gateway, 'POST', '/admin/deployments/secondary-gpt35/probe')).json.result).toMatchObject({ ok: false, errorKind: 'overloaded' });
  });

  it('404 JSON for an unknown deployment or action; 405 for the wrong method', async () => {
    gateway = await startTestGateway();
    const unknown = await call(gateway, 'POST', '/admin/deployments/nope/open');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('nope');
    const action = await call(gateway, 'POST', '/admin/deployments/primary-gpt4/explode');
    expect(action.status).toBe(404);
    expect(action.json.error.message).toContain('open, close, release, drain, undrain, probe');
    expect((await call(gateway, 'POST', '/admin/deployments/primary-gpt4')).status).toBe(404);
    expect((await call(gateway, 'DELETE', '/admin/breakers')).status).toBe(405);
  });

  it('GET /admin/sla reports 1m/5m/1h windows per deployment, group and route; stats reset empties them', async () => {
    gateway = await startTestGateway();
    setFaults(gateway, { primary: DOWN });
    for (let i = 0; i < 4; i++) await chat(gateway);
    const sla = await call(gateway, 'GET', '/admin/sla');
    expect(sla.status).toBe(200);
    expect(sla.json.windowsMs).toEqual({ '1m': 60_000, '5m': 300_000, '1h': 3_600_000 });
    expect(sla.json.deployments['primary-gpt4'].windows['1m']).toMatchObject({ requests: 4, errors: 4, errorRate: 1, availabilityPercent: 0 });
    expect(sla.json.deployments['secondary-gpt35'].windows['5m']).toMatchObject({ requests: 4, errors: 0, availabilityPercent: 100 });
    expect(sla.json.groups.gpt4.windows['1h'].requests).toBe(4);
    const route = sla.json.routes['gpt-4'].windows['1m'];
    expect(route).toMatchObject({ requests: 4, errors: 0 });
    expect(route.p95Ms).toBeGreaterThanOrEqual(route.p50Ms);

    expect((await call(gateway, 'POST', '/admin/stats/reset')).json.reset).toBe(true);
    const after = await call(gateway, 'GET', '/admin/sla');
    expect(after.json.routes['gpt-4']).toBeUndefined();
    expect(after.json.deployments['primary-gpt4']?.windows['1m'].requests ?? 0).toBe(0);
    await chat(gateway);
    expect((await call(gateway, 'GET', '/admin/sla')).json.routes['gpt-4'].windows['1m'].requests).toBe(1);
  });

  it('GET /admin/alerts shows breaker_opened and primary_unavailable while the primary is isolated, resolved after release', async () => {
    gateway = await startTestGateway();
    await call(gateway, 'POST', '/admin/deployments/primary-gpt4/open');
    gateway.ops.ops.alerts.evaluate();
    const firing = await call(gateway, 'GET', '/admin/alerts');
    expect(firing.status).toBe(200);
    const ids = firing.json.active.map((a: { id: string }) => a.id);
    expect(ids).toContain('breaker_opened:primary-gpt4');
    expect(ids.some((id: string) => id.startsWith('primary_unavailable:'))).toBe(true);

    await call(gateway, 'POST', '/admin/deployments/primary-gpt4/release');
    gateway.ops.ops.alerts.evaluate();
    const resolved = await call(gateway, 'GET', '/admin/alerts');
    expect(resolved.json.active).toEqual([]);
    const states = resolved.json.recent.filter((n: { id: string }) => n.id === 'breaker_opened:primary-gpt4').map((n: { state: string }) => n.state);
    expect(states).toEqual(['firing', 'resolved']);
  });
});
