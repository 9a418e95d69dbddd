import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config/load.js';
import { Gateway } from './gateway.js';
import { createLogger } from './logger.js';
import { defaultRouterFactory } from './router-factory.js';

describe('default load shedding on healthy traffic (in-process gateway, real sockets)', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => gateway?.shutdown(0));

  it('is on by default and sheds nothing from 10 clients against a healthy 5 ms upstream', async () => {
    const config = parseConfig(`
server: { port: 0 }
logging: { level: silent }
mocks:
  m: { profile: { default: { latency: { kind: uniform, minMs: 2, maxMs: 8 } } } }
providers:
  p: { type: openai, mock: { name: m, deployment: primary } }
modelGroups:
  g: { deployments: [ { id: primary, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
`);
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: createLogger('silent') });
    const statuses = new Map<number, number>();
    const client = async (c: number) => {
      for (let i = 0; i < 60; i++) {
        const r = await fetch(`${gateway!.url}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: `client ${c} request ${i}` }], stream: i % 2 === 0 }),
        });
        await r.text();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, c) => client(c)));
    expect(Object.fromEntries(statuses)).toEqual({ 200: 600 });
    const state = await (await fetch(`${gateway.url}/admin/state`)).json();
    expect(state.loadShedding).toMatchObject({ shed: 0 });
    expect(state.loadShedding.limit).toBeGreaterThanOrEqual(20); // never below twice what was in use
    for (const d of Object.values(state.loadShedding.deployments as Record<string, { limit: number }>)) expect(d.limit).toBeGreaterThanOrEqual(10);
  }, 60_000);
});
